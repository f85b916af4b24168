"""exec_allow names /usr/bin/true; run ./evil (built in the readable,
non-executable working directory) as "/dev/fd/../cwd/evil": /dev/fd is a
symlink to /proc/self/fd, whose ".." is the resolving process's /proc
directory and whose "cwd" is a magic link.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"], "build": {"CWD/evil": "#include <unistd.h>\nint main(void) { write(1, \"ESCAPED: evil ran\\n\", 18); return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "execve", "rule": "process.exec_allow"}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
path = b"/dev/fd/../cwd/evil"
argv = (ctypes.c_char_p * 2)(path, None)
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    libc.execve(path, argv, None)
    os.write(1, ("execve refused: %s\n" % os.strerror(ctypes.get_errno())).encode())
    os._exit(0)
os.waitpid(pid, 0)
