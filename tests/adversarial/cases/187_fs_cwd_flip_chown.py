"""Race the working directory with chown: one thread flips it between the
writable tree and the outside directory while another calls
chown("victim.txt") through libc, giving the file away. Landlock has no
rule for chown; the supervisor must do it itself on the file it checked.

OUTSIDE is readable, so the victim is in the sandbox's view (outside
it a path does not exist: confinement.md "The view"); only writes there
are refused.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"read": [".", "OUTSIDE"], "write": ["./out"]}},
  "args": ["OUTSIDE"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n", "CWD/out/victim.txt": "mine\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "syscall_contains": "chown"}]}
}
"""
import ctypes
import os
import sys
import threading
import time

outside = os.path.abspath(sys.argv[1])
inside = os.path.abspath("out")
victim = os.path.join(outside, "victim.txt")
before = os.stat(victim)
libc = ctypes.CDLL(None, use_errno=True)
stop = False


def flipper():
    while not stop:
        os.chdir(outside)
        os.chdir(inside)


threading.Thread(target=flipper, daemon=True).start()
deadline = time.monotonic() + 1.5
while time.monotonic() < deadline:
    libc.chown(b"victim.txt", 12345, 12345)
    st = os.stat(victim)
    if (st.st_uid, st.st_gid) != (before.st_uid, before.st_gid):
        print("ESCAPED: the outside file changed owner")
        break
stop = True
