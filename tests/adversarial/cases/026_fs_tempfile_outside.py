"""Create a randomly named temporary file outside with tempfile.mkstemp
(the directory's mtime and listing must not change).

{
  "policy": {"version": 1},
  "args": ["OUTSIDE"],
  "oracle": {"unchanged": "OUTSIDE"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "tempfile.mkstemp", "rule": "filesystem.write"}]}
}
"""
import sys
import tempfile

try:
    fd, name = tempfile.mkstemp(dir=sys.argv[1])
    print("ESCAPED", name)
except OSError as e:
    print("refused:", e)
