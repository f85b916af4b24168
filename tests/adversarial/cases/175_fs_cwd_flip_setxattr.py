"""Race the working directory as in the utime case, with setxattr: a
user attribute lands on the outside file when the kernel resolves the
name after a check that let the call continue.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n", "CWD/out/victim.txt": "mine\n"},
            "modes": {"OUTSIDE/victim.txt": 438}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "syscall": "setxattr"}]}
}
"""
import ctypes
import os
import sys
import threading
import time

outside = os.path.abspath(sys.argv[1])
inside = os.path.abspath("out")
libc = ctypes.CDLL(None, use_errno=True)
stop = False


def flipper():
    while not stop:
        os.chdir(outside)
        os.chdir(inside)


threading.Thread(target=flipper, daemon=True).start()
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    libc.setxattr(b"victim.txt", b"user.sbx", b"escaped", 7, 0)
    try:
        if os.getxattr(os.path.join(outside, "victim.txt"), "user.sbx"):
            print("ESCAPED: an attribute on the outside file")
            break
    except OSError:
        pass
stop = True
