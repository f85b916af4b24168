"""Move a file from outside into the writable tree with libc rename().

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/victim.txt", "CWD/out/stolen.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt", "absent": "CWD/out/stolen.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "landlock", "syscall_contains": "rename", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
r = libc.rename(sys.argv[1].encode(), sys.argv[2].encode())
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
