"""Race the working directory: one thread flips it between the writable
tree and the outside directory while another calls utime("victim.txt")
through libc. Landlock has no rule for utime: a check that lets the call
continue leaves the kernel to resolve the name in whichever directory is
current by then.

OUTSIDE is readable, so the victim is in the sandbox's view (outside
it a path does not exist: confinement.md "The view"); only writes there
are refused.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"read": [".", "OUTSIDE"], "write": ["./out"]}},
  "args": ["OUTSIDE"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n", "CWD/out/victim.txt": "mine\n"},
            "modes": {"OUTSIDE/victim.txt": 438}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "syscall_contains": "utime"}]}
}
"""
import ctypes
import os
import sys
import threading
import time

outside = os.path.abspath(sys.argv[1])
inside = os.path.abspath("out")
before = os.stat(os.path.join(outside, "victim.txt")).st_mtime_ns
libc = ctypes.CDLL(None, use_errno=True)
stop = False


def flipper():
    while not stop:
        os.chdir(outside)
        os.chdir(inside)


threading.Thread(target=flipper, daemon=True).start()
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    libc.utime(b"victim.txt", None)
    if os.stat(os.path.join(outside, "victim.txt")).st_mtime_ns != before:
        print("ESCAPED: the outside file's times changed")
        break
stop = True
