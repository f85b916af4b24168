"""unshare(CLONE_NEWUSER|CLONE_NEWNS): become root of a new user namespace,
with a private mount table: the start of most kernel exploits and of every
"sandbox inside the sandbox" trick.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "unshare", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
libc = ctypes.CDLL(None, use_errno=True)
r = libc.unshare(CLONE_NEWUSER | CLONE_NEWNS)
print("ESCAPED: new user namespace" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
