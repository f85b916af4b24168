"""Create a file outside with pathlib.Path.write_text.

pathlib hands the hook a Path object: the hook reads the standard
library's cached string, never calls the object's code.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write"}]}
}
"""
import pathlib
import sys

try:
    pathlib.Path(sys.argv[1]).write_text("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
