"""mount a tmpfs over a directory outside (mount namespaces aside, a mount
is a host change).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/mnt"],
  "setup": {"dirs": ["OUTSIDE/mnt"]},
  "oracle": {"not_mounted": "OUTSIDE/mnt"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "mount", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
r = libc.mount(b"none", sys.argv[1].encode(), b"tmpfs", 0, b"size=1m")
print("ESCAPED: mounted" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
