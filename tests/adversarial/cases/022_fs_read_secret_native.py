"""Read a secret file outside through libc open()/read() with ctypes.

Contained by Landlock, which refuses reads outside the read trees silently:
confinement.md, "Reads outside the policy through native code are refused
by Landlock without a record" (the kernel reports them only to its audit
log). The secret must not reach the program.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/secret.txt"],
  "setup": {"files": {"OUTSIDE/secret.txt": "SECRET-TOKEN"}},
  "oracle": {"stdout_lacks": "SECRET-TOKEN"},
  "expect": {"status": "ok", "recorded": false,
             "why": "Landlock refuses native reads outside the policy without a record (confinement.md, running.md)"}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_RDONLY)
if fd < 0:
    print("refused:", os.strerror(ctypes.get_errno()))
else:
    buf = ctypes.create_string_buffer(4096)
    n = libc.read(fd, buf, 4096)
    print(buf.raw[:max(n, 0)].decode(errors="replace"))
