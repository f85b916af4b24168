"""exec_allow lists sandboxpy itself (sys.executable): execute the ELF
loader by descriptor, as sandboxpy does to start its interpreter, on
python3.11 with a program of our own: an interpreter without the hook,
where json (imports.deny) would import. The exception for sandboxpy's own
start is by the executable of the process asking (sandboxpy), which the
program's process is not (its executable is the loader).

{
  "policy": {"version": 1, "process": {"spawn": true, "exec_allow": ["SANDBOXPY_BIN"]},
             "native": {"ctypes": true}, "imports": {"deny": ["json"]}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "rule": "process.exec_allow", "action": "deny"}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
SYS_execveat, AT_EMPTY_PATH = 322, 0x1000
fd = os.open("/lib64/ld-linux-x86-64.so.2", os.O_PATH)
argv = (ctypes.c_char_p * 5)(b"ld.so", b"/usr/bin/python3.11",
                             b"-c", b"import json; print('ESCAPED', flush=True)", None)
envp = (ctypes.c_char_p * 1)(None)
r = libc.syscall(SYS_execveat, fd, b"", argv, envp, AT_EMPTY_PATH)
print("execveat refused:", r, os.strerror(ctypes.get_errno()), flush=True)
