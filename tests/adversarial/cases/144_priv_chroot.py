"""chroot into the working directory (the first step of the classic
chroot breakout, and a host change the policy never allows).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "chroot", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
r = libc.chroot(b".")
print("ESCAPED: chrooted" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
