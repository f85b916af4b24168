"""Make a file in the writable tree set-uid with fchmodat2 and a non-zero
flag (AT_SYMLINK_NOFOLLOW): the supervisor once did chmod itself only
without flags, and left this form to the kernel. Under an idmapped write
tree the file is root's on the host.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"], "files": {"CWD/out/f": "#!/bin/sh\n"}, "modes": {"CWD/out/f": 493}},
  "oracle": {"unchanged": "CWD/out/f"},
  "expect": {"status": "ok",
             "events": [{"rule": "system", "syscall": "fchmodat2"}]}
}
"""
import ctypes
import os

AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(452, AT_FDCWD, b"out/f", 0o4755, AT_SYMLINK_NOFOLLOW)
print("fchmodat2:", r, os.strerror(ctypes.get_errno()) if r < 0 else "")
