"""Truncate and overwrite an existing file outside with io.FileIO(..., "w").

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write"}]}
}
"""
import io
import sys

try:
    with io.FileIO(sys.argv[1], "w") as f:
        f.write(b"pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
