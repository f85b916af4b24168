"""Raw vfork (58) followed at once by execve in the child.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "vfork", "rule": "process.spawn", "bypass": true}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
argv = (ctypes.c_char_p * 3)(b"touch", b"out/spawned", None)
envp = (ctypes.c_char_p * 1)(None)
execve = libc.execve
pid = libc.syscall(58)
if pid == 0:
    execve(b"/bin/touch", argv, envp)
    libc._exit(127)
elif pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED")
else:
    print("refused:", os.strerror(ctypes.get_errno()))
