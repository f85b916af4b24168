"""Race the supervisor's path check for chmod, which Landlock does not
cover: one thread keeps rewriting the path buffer between a file in the
writable tree and the victim outside while another calls chmod() on it
through libc. The supervisor checks the path it reads, then lets the call
continue; the kernel reads the path again.

OUTSIDE is readable, so the victim is in the sandbox's view (outside
it a path does not exist: confinement.md "The view"); only writes there
are refused.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"read": [".", "OUTSIDE"], "write": ["./out"]}},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n", "CWD/out/own.txt": "mine\n"},
            "modes": {"OUTSIDE/victim.txt": 384}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "action": "deny", "syscall_contains": "chmod"}]}
}
"""
import ctypes
import os
import sys
import threading
import time

victim = os.path.abspath(sys.argv[1]).encode()
own = os.path.abspath("out/own.txt").encode()
n = max(len(victim), len(own)) + 1
good = own.ljust(n, b"\0")
bad = victim.ljust(n, b"\0")
buf = ctypes.create_string_buffer(good, n)
addr = ctypes.addressof(buf)
libc = ctypes.CDLL(None, use_errno=True)
memmove = ctypes.memmove
stop = False


def flipper():
    while not stop:
        memmove(addr, bad, n)
        memmove(addr, good, n)


threading.Thread(target=flipper, daemon=True).start()
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    libc.chmod(buf, 0o777)
    if os.stat(sys.argv[1]).st_mode & 0o777 == 0o777:
        print("ESCAPED: victim is now 0777")
        break
stop = True
