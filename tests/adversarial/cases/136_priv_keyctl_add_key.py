"""add_key into the process keyring (the kernel keyring API, a long list of
CVEs; keys are not namespaced).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "add_key", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

KEY_SPEC_PROCESS_KEYRING = -2
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
r = libc.syscall(248, b"user", b"sbxadv-key", b"payload", 7, KEY_SPEC_PROCESS_KEYRING)
print(f"ESCAPED: key {r}" if r > 0 else "refused: " + os.strerror(ctypes.get_errno()))
