"""Do a native write outside (a bypass), then exit with status 126, what
sandboxpy itself returns after a kill action: the report must say the
program exited by itself with 126 (status error, not violation) and keep
the bypass.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "error", "exit_code": 126, "signal": null,
             "summary": {"killed_by": null, "bypass": 1},
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()), flush=True)
sys.exit(126)
