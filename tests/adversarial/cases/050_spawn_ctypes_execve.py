"""execve("/bin/touch") through libc with ctypes.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "execve", "rule": "process.spawn", "bypass": true}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
argv = (ctypes.c_char_p * 3)(b"touch", b"out/spawned", None)
envp = (ctypes.c_char_p * 1)(None)
libc.execve(b"/bin/touch", argv, envp)
print("refused:", os.strerror(ctypes.get_errno()))
