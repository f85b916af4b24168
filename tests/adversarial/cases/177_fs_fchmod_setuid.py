"""Make a file the program may write set-uid through its descriptor, from
pure Python (os.fchmod): the descriptor form went straight to the kernel.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"], "files": {"CWD/out/f": "#!/bin/sh\n"}, "modes": {"CWD/out/f": 493}},
  "oracle": {"unchanged": "CWD/out/f"},
  "expect": {"status": "ok",
             "events": [{"rule": "system", "syscall": "fchmod"}]}
}
"""
import os

fd = os.open("out/f", os.O_RDONLY)
try:
    os.fchmod(fd, 0o4755)
    print("fchmod went through")
except OSError as e:
    print("fchmod refused:", e)
