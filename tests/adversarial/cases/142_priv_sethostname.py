"""sethostname to the current host name (harmless as root; inside the
sandbox, a host change the policy never allows).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "sethostname", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os
import socket

name = os.uname().nodename.encode()
libc = ctypes.CDLL(None, use_errno=True)
r = libc.sethostname(name, len(name))
print("ESCAPED: host name set" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
