"""Time-of-check/time-of-use race: a thread keeps swapping out/target
between a regular file (inside) and a symlink to the victim (outside) while
the main thread keeps opening out/target for writing. A check on the path
string alone loses this race; the kernel must decide on the real file.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true}},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "action": "deny"}]}
}
"""
import ctypes
import os
import sys
import threading
import time

victim = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
stop = False


def swapper():
    # Atomic swaps with rename() of a prepared symlink / file over
    # out/target, through libc (the audit hook does not judge the swaps).
    target = victim.encode()
    while not stop:
        libc.symlink(target, b"out/tmp-link")
        libc.rename(b"out/tmp-link", b"out/target")
        fd = libc.open(b"out/tmp-file", os.O_CREAT | os.O_WRONLY, 0o644)
        if fd >= 0:
            libc.close(fd)
        libc.rename(b"out/tmp-file", b"out/target")


t = threading.Thread(target=swapper, daemon=True)
t.start()
wins = 0
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    # Native open: no audit hook between the check and the use at all.
    fd = libc.open(b"out/target", os.O_WRONLY | os.O_APPEND)
    if fd >= 0:
        libc.write(fd, b"pwned\n", 6)
        libc.close(fd)
    try:
        with open("out/target", "a") as f:
            f.write("pwned\n")
    except OSError:
        pass
stop = True
t.join()
print("done")
