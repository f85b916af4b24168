"""chmod a file outside with libc chmod(). Landlock does not cover chmod:
the supervisor's path check is the only kernel-side rule, and the file
(root-owned, in an idmapped tree) appears owned by the sandbox's uid, so
plain permissions would allow it.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}, "modes": {"OUTSIDE/victim.txt": 384}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "landlock", "syscall_contains": "chmod", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
r = libc.chmod(sys.argv[1].encode(), 0o777)
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
