"""Do a native write outside (a bypass), use 0.02 s of CPU, then send
ourselves SIGXCPU, the signal RLIMIT_CPU sends: the report must say
"killed by signal 24", not blame a CPU limit of 2 s that was never
reached (a status comes from the supervisor's measurement), and keep the
bypass.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "limits": {"cpu_seconds": 2}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "signal", "signal": 24, "exit_code": null,
             "summary": {"bypass": 1},
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import signal
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()), flush=True)
t = time.process_time()
while time.process_time() - t < 0.02:
    pass
signal.signal(signal.SIGXCPU, signal.SIG_DFL)
os.kill(os.getpid(), signal.SIGXCPU)
