"""Create a file outside through /dev/fd/../cwd: /dev/fd is an ordinary
symlink to /proc/self/fd, so ".." lands in the resolving process's own
/proc directory and "cwd" is a magic link to its working directory.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/x"],
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "syscall_contains": "open"}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
outside = os.path.basename(os.path.dirname(os.path.abspath(sys.argv[1])))
fd = libc.open(("/dev/fd/../cwd/../%s/x" % outside).encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("open:", fd, os.strerror(ctypes.get_errno()) if fd < 0 else "")
