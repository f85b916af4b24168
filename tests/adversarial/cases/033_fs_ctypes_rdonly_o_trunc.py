"""Truncate a read-only file by opening it O_RDONLY|O_TRUNC with libc
(an open "for reading" that still destroys the content).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["CWD/data.txt"],
  "setup": {"files": {"CWD/data.txt": "precious data\n"}},
  "oracle": {"unchanged": "CWD/data.txt"},
  "expect": {"status": "ok",
             "events": [{"syscall": "openat", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_RDONLY | os.O_TRUNC)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
