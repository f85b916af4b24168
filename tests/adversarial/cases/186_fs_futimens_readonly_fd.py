"""Change the times of a file the policy only lets the program read,
through a read-only descriptor (futimens): descriptor forms carry no
path for a path rule, and Landlock has no rule for times.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"], "files": {"CWD/victim.txt": "original\n"}},
  "oracle": {"unchanged": "CWD/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "syscall": "utimensat"}]}
}
"""
import ctypes
import os


class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


libc = ctypes.CDLL(None, use_errno=True)
fd = os.open("victim.txt", os.O_RDONLY)
ts = (Timespec * 2)(Timespec(1, 0), Timespec(1, 0))
r = libc.futimens(fd, ts)
print("futimens:", r, os.strerror(ctypes.get_errno()) if r < 0 else "")
