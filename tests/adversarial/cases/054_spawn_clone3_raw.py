"""Raw clone3 (435) with struct clone_args {flags 0, exit_signal SIGCHLD}:
the flags live in memory a seccomp filter cannot read.

Contained: seccomp.md says clone3 "gets ENOSYS silently, because its flags
are in memory the filter cannot read; libc falls back to clone" - the
refusal is deliberately not recorded (libc probes clone3 on every thread
start).

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok", "recorded": false,
             "why": "seccomp.md: clone3 gets ENOSYS silently (libc probes it, then falls back to clone, which is recorded)"}
}
"""
import ctypes
import os
import signal

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
args = (ctypes.c_uint64 * 11)(0, 0, 0, 0, signal.SIGCHLD, 0, 0, 0, 0, 0, 0)
pid = libc.syscall(435, ctypes.byref(args), ctypes.sizeof(args))
if pid == 0:
    open("out/spawned", "w").close()
    os._exit(0)
elif pid > 0:
    os.waitpid(pid, 0)
    print("ESCAPED")
else:
    print("refused:", os.strerror(ctypes.get_errno()))
