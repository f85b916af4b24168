"""exec_allow names /usr/bin/true; run an ELF of our own from a memfd
through "/proc//self/fd/N": the doubled slash defeats a prefix rule for
/proc/self, and the supervisor once resolved the magic link in its own
process. Under a ctypes policy memfds are allowed (native code is the
program's anyway), so the exec check itself must hold.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"], "build": {"CWD/evil": "#include <unistd.h>\nint main(void) { write(1, \"ESCAPED: evil ran\\n\", 18); return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "execve", "rule": "process.exec_allow"}]},
  "expect_unprivileged": {"events": [{"layer": "seccomp", "syscall": "memfd_create", "action": "deny"}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = os.memfd_create("payload", 0)
with open("evil", "rb") as f:
    os.write(fd, f.read())
path = ("/proc//self/fd/%d" % fd).encode()
argv = (ctypes.c_char_p * 2)(path, None)
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    libc.execve(path, argv, None)
    os.write(1, ("execve refused: %s\n" % os.strerror(ctypes.get_errno())).encode())
    os._exit(0)
os.waitpid(pid, 0)
