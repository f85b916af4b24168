"""Under a policy that lets ctypes run, make the hook send a genuine "log"
record of os.fork (PySys_Audit through ctypes, the same thread), then fork
through libc: the kernel refuses it. An audit record cannot explain a
kernel denial when the program can run native code (it could have written
any record): the denial stays a bypass and names the claim.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": false},
             "events": [{"event": "os.fork", "action": "log"}]},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "audit", "event": "os.fork", "action": "log"},
                        {"layer": "seccomp", "rule": "process.spawn", "bypass": true, "claimed_by": "os.fork"}],
             "summary": {"bypass": 1}}
}
"""
import ctypes
import os

audit = ctypes.pythonapi.PySys_Audit
audit.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
print("PySys_Audit:", audit(b"os.fork", None), flush=True)
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.fork()
if pid == 0:
    print("ESCAPED: a child process runs", flush=True)
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)
print("fork:", pid, os.strerror(ctypes.get_errno()) if pid < 0 else "", flush=True)
