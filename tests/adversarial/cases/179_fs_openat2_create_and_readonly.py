"""openat2 keeps its flags in memory (struct open_how), where no filter can
judge them race-free: create a file outside with it, and read a readable
file with it. Neither may work as a way around the filter's flag rules,
and the read-only one must not be reported as a write bypass.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/x"],
  "setup": {"dirs": ["CWD/out"], "files": {"CWD/readable.txt": "hello\n"}},
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok", "recorded": false,
             "why": "openat2 is answered ENOSYS in the filter, silently, as on a kernel before 5.6 (docs/seccomp.md): libc and Python fall back to openat",
             "no_events": [{"bypass": true}]}
}
"""
import ctypes
import os
import sys


class OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
AT_FDCWD = -100
how = OpenHow(os.O_RDONLY, 0, 0)
r = libc.syscall(437, AT_FDCWD, b"readable.txt", ctypes.byref(how), ctypes.sizeof(how))
print("read-only openat2:", r, os.strerror(ctypes.get_errno()) if r < 0 else "")
how = OpenHow(os.O_CREAT | os.O_WRONLY, 0o644, 0)
r = libc.syscall(437, AT_FDCWD, os.path.abspath(sys.argv[1]).encode(), ctypes.byref(how), ctypes.sizeof(how))
print("creating openat2:", r, os.strerror(ctypes.get_errno()) if r < 0 else "")
