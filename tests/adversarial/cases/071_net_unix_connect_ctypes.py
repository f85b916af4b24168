"""The runner's UNIX socket again, with libc connect() through ctypes.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["SOCK"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "connect", "rule": "network.connect", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0)
path = sys.argv[1].encode()
addr = struct.pack("=H", socket.AF_UNIX) + path + b"\0"
r = libc.connect(fd, addr, len(addr))
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
