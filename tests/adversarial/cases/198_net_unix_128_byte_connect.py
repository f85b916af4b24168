"""connect() with a 128-byte AF_UNIX address (the kernel's limit for any
address, 18 bytes beyond sockaddr_un) under a policy without network
rules. A supervisor that copies the path into a 109-byte buffer before
judging it overflows its stack and dies without a report. The program
then tries the runner's listener, which is what proves it real
unconfined.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["SOCK"],
  "oracle": {"no_connection": true, "alive": "SUPERVISOR"},
  "expect": {"status": "ok",
             "events": [{"syscall": "connect", "action": "deny", "detail_contains": "too long"}]}
}
"""
import ctypes
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_UNIX, socket.SOCK_STREAM, 0)
addr = struct.pack("=H", socket.AF_UNIX) + b"/" + b"A" * 125
r = libc.connect(fd, addr, 128)
print("long address:", r, ctypes.get_errno())
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
