"""The planted symlink again, through libc's open() with ctypes: the audit
hook never sees it; the kernel (supervisor + Landlock) must refuse it.

{
  "policy": {"version": 1, "filesystem": {"write": ["."]}, "native": {"ctypes": true}},
  "args": ["escape/x"],
  "setup": {"symlinks": {"CWD/escape": "OUTSIDE"}},
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true, "errno": "EACCES"}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
if fd >= 0:
    libc.write(fd, b"pwned\n", 6)
    print("ESCAPED")
else:
    print("refused:", os.strerror(ctypes.get_errno()))
