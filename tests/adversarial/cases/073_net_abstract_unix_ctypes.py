"""The abstract UNIX socket through libc connect(): the hook never sees it;
Landlock's abstract-socket scoping (ABI 6) must refuse it.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}, "native": {"ctypes": true}},
  "args": ["ABSTRACT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "connect", "rule": "network.connect", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0)
addr = struct.pack("=H", socket.AF_UNIX) + b"\0" + sys.argv[1].encode()
r = libc.connect(fd, addr, len(addr))
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
