"""glibc's posix_spawn through ctypes (clone(CLONE_VM|CLONE_VFORK) + exec
inside libc).

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
pid = ctypes.c_int()
argv = (ctypes.c_char_p * 3)(b"touch", b"out/spawned", None)
envp = (ctypes.c_char_p * 1)(None)
r = libc.posix_spawn(ctypes.byref(pid), b"/bin/touch", None, None, argv, envp)
if r == 0:
    os.waitpid(pid.value, 0)
    print("ESCAPED")
else:
    print("refused:", os.strerror(r))
