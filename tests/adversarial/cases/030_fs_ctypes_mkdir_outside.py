"""Create a directory outside with libc mkdir().

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/newdir"],
  "oracle": {"absent": "OUTSIDE/newdir"},
  "expect": {"status": "ok",
             "events": [{"layer": "landlock", "syscall_contains": "mkdir", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
r = libc.mkdir(sys.argv[1].encode(), 0o755)
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
