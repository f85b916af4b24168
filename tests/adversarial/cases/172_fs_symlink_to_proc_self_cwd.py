"""A symlink inside the writable tree points at /proc/self/cwd: creating
"out/l/../OUTSIDE/x" walks from the caller's working directory up into
the outside directory. Who resolves /proc/self decides where that is.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/x"],
  "setup": {"dirs": ["CWD/out"], "symlinks": {"CWD/out/l": "/proc/self/cwd"}},
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
fd = libc.open(("out/l/../%s/x" % outside).encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("open:", fd, os.strerror(ctypes.get_errno()) if fd < 0 else "")
