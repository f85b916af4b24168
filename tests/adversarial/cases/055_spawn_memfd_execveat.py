"""Fileless execution: copy an ELF program of our own (built in the readable
working directory, never executable there) into a memfd and execveat it
with AT_EMPTY_PATH (no path for a path-based check to see).

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "native": {"ctypes": true}},
  "setup": {"dirs": ["CWD/out"], "build": {"CWD/evil": "#include <fcntl.h>\n#include <unistd.h>\nint main(void) { int fd = open(\"out/spawned\", O_CREAT | O_WRONLY, 0644); write(1, \"evil ran\\n\", 9); return fd < 0; }\n"}},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "execveat", "rule": "process.spawn", "bypass": true}]},
  "expect_unprivileged": {"events": [{"layer": "seccomp", "syscall": "memfd_create", "action": "deny"}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
fd = os.memfd_create("payload")
with open("evil", "rb") as f:
    os.write(fd, f.read())
argv = (ctypes.c_char_p * 2)(b"evil", None)
envp = (ctypes.c_char_p * 1)(None)
libc.syscall(322, fd, b"", argv, envp, 0x1000)       # execveat(fd, "", ..., AT_EMPTY_PATH)
print("refused:", os.strerror(ctypes.get_errno()))
