"""reboot() with invalid magic numbers (harmless: the kernel checks the
privilege first, then answers EINVAL to bad magic, so EINVAL proves the
call was let through with the privilege to reboot).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "events": [{"layer": "seccomp", "syscall": "reboot", "rule": "system", "bypass": true}]}
}
"""
import ctypes
import errno
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
r = libc.syscall(169, 0x12345678, 0x9ABCDEF0, 0, 0)      # not LINUX_REBOOT_MAGIC1/2
err = ctypes.get_errno()
print("ESCAPED: reboot reached its magic check" if r < 0 and err == errno.EINVAL
      else "refused: " + os.strerror(err))
