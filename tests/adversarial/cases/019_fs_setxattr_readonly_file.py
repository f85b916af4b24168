"""Attach an extended attribute to a file of the read-only working
directory (Landlock does not cover xattrs: the hook and the supervisor do).

{
  "policy": {"version": 1},
  "args": ["CWD/data.txt"],
  "setup": {"files": {"CWD/data.txt": "data\n"}},
  "oracle": {"unchanged": "CWD/data.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.setxattr", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.setxattr(sys.argv[1], "user.pwned", b"1")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
