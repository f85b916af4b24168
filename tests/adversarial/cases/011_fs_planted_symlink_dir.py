"""A symlink planted in the (writable) working directory leads to OUTSIDE;
create a file through it with open().

{
  "policy": {"version": 1, "filesystem": {"write": ["."]}},
  "args": ["escape/x"],
  "setup": {"symlinks": {"CWD/escape": "OUTSIDE"}},
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write"}]}
}
"""
import sys

try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
