"""Do a native write outside (a bypass), then send ourselves SIGXFSZ, the
signal RLIMIT_FSIZE sends, without writing anything large: the report must
say "killed by signal 25", not "output" for a file size limit no stream
reached, and keep the bypass.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "limits": {"file_size_mb": 1}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "signal", "signal": 25, "exit_code": null,
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
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
os.kill(os.getpid(), signal.SIGXFSZ)
