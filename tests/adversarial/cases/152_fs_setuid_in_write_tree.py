"""Make a set-uid program in a write tree the sandbox's uid may write (mode
0777, owned by root): what it creates must be its own uid's, never root's.

{
  "policy": {"version": 1, "filesystem": {"write": ["CWD/out"]}},
  "args": ["CWD/out"],
  "setup": {"dirs": ["CWD/out"], "root_owned": ["CWD/out"], "modes": {"CWD/out": 511}},
  "oracle": {"not_root_owned": "CWD/out"},
  "expect": {"status": "ok",
             "recorded": false,
             "why": "a write tree is never idmapped (docs/confinement.md): files are the sandbox uid's by the kernel's own ownership rules, and the tree is nosuid; the set-id bit itself is seccomp's (docs/seccomp.md)"}
}
"""
import os
import sys

path = os.path.join(sys.argv[1], "suid")
with open(path, "w") as f:
    f.write("#!/bin/sh\nid\n")
os.mkdir(os.path.join(sys.argv[1], "d"))
try:
    os.chmod(path, 0o4755)
except OSError as e:
    print("chmod refused:", e)
st = os.stat(path)
print("mode %o uid %d" % (st.st_mode, st.st_uid))
