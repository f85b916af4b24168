"""Do a native write outside (a bypass), then SIGKILL ourselves, the way
the OOM killer ends a program: the report must say "killed by signal 9",
not blame a memory limit that was never reached, and keep the bypass.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "signal", "signal": 9, "exit_code": null,
             "summary": {"bypass": 1},
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import signal
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
