"""Create a symlink in the writable tree pointing at a file outside (allowed:
the link itself is inside), then open the link for writing.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/victim.txt", "CWD/out/sl"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.symlink(sys.argv[1], sys.argv[2])
except OSError as e:
    print("symlink refused:", e)
try:
    with open(sys.argv[2], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
