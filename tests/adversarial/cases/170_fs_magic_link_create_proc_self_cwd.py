"""Create a file outside through the magic link /proc/self/cwd, written as
"/proc/self/../self/cwd/../OUTSIDE/x" so that no prefix rule sees it:
the supervisor once resolved /proc/self as itself, and the kernel's
Landlock refusal left nothing in the record.

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
path = ("/proc/self/../self/cwd/../%s/x" % outside).encode()
fd = libc.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
print("open:", fd, os.strerror(ctypes.get_errno()) if fd < 0 else "")
