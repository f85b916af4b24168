"""bpf(BPF_MAP_CREATE): the eBPF subsystem (verifier bugs are a classic
privilege escalation).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "bpf", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import os

BPF_MAP_CREATE, BPF_MAP_TYPE_ARRAY = 0, 2
attr = (ctypes.c_uint32 * 32)(BPF_MAP_TYPE_ARRAY, 4, 4, 1)   # type, key size, value size, entries
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
fd = libc.syscall(321, BPF_MAP_CREATE, ctypes.byref(attr), ctypes.sizeof(attr))
print(f"ESCAPED: bpf map fd {fd}" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
