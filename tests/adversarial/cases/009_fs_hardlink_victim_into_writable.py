"""Hard-link a file outside into the writable tree, then write through the
link (same inode: the outside file would change).

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/victim.txt", "CWD/out/hl.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt", "absent": "CWD/out/hl.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.link", "rule": "filesystem.write"}]}
}
"""
import os
import sys

try:
    os.link(sys.argv[1], sys.argv[2])
    with open(sys.argv[2], "a") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
