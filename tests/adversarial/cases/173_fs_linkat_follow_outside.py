"""Hard-link an outside file into the writable tree with
linkat(AT_SYMLINK_FOLLOW) through a symlink that lies inside it: the
source's symlink is followed, so the file linked is the outside one.
The refusal must be recorded, not only made by the kernel.

OUTSIDE is readable, so the victim is in the sandbox's view (outside
it a path does not exist: confinement.md "The view"); only writes there
are refused.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"read": [".", "OUTSIDE"], "write": ["./out"]}},
  "args": ["OUTSIDE/secret.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/secret.txt": "outside\n"}},
  "oracle": {"absent": "CWD/out/hard"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "syscall": "linkat"}]}
}
"""
import ctypes
import os
import sys

AT_FDCWD = -100
AT_SYMLINK_FOLLOW = 0x400
os.symlink(os.path.abspath(sys.argv[1]), "out/s")
libc = ctypes.CDLL(None, use_errno=True)
r = libc.linkat(AT_FDCWD, b"out/s", AT_FDCWD, b"out/hard", AT_SYMLINK_FOLLOW)
print("linkat:", r, os.strerror(ctypes.get_errno()) if r < 0 else "")
