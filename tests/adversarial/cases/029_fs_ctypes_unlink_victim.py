"""Delete a file outside with libc unlink().

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "landlock", "syscall_contains": "unlink", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
r = libc.unlink(sys.argv[1].encode())
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
