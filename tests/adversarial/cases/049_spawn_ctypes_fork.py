"""fork() through libc with ctypes; the child writes the marker.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "rule": "process.spawn", "bypass": true}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
pid = libc.fork()
if pid == 0:
    open("out/spawned", "w").close()
    os._exit(0)
elif pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED")
else:
    print("refused:", os.strerror(ctypes.get_errno()))
