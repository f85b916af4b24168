"""Create a file outside with libc openat(AT_FDCWD, ..., O_CREAT).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "landlock", "syscall": "openat", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.openat(-100, sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
