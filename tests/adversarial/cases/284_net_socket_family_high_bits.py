"""socket(AF_INET | 2**32, SOCK_STREAM) by raw syscall number, no network
rules: the kernel truncates the int family to AF_INET, while the filter's
AF_UNIX rows compare all 64 bits. Then connect to the runner's listener
with the socket obtained.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["PORT", "TOKEN"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "socket", "rule": "network.socket", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long] * 4
fd = libc.syscall(41, socket.AF_INET | (1 << 32), socket.SOCK_STREAM, 0)
if fd < 0:
    print("refused:", os.strerror(ctypes.get_errno()))
    sys.exit(0)
s = socket.socket(fileno=fd)
print("got an", s.family, "socket", flush=True)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.sendall(sys.argv[2].encode())
    print("ESCAPED: connected")
except OSError as e:
    print("connect refused:", e)
