"""Port-only Landlock gap through native code: connect(127.0.0.1:PORT) with
libc when only 192.0.2.1:PORT is allowed. The supervisor's address check
must catch the host.

{
  "policy": {"version": 1, "network": {"connect": ["192.0.2.1:PORT"]}, "native": {"ctypes": true}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "connect", "rule": "network.connect", "action": "deny", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
addr = struct.pack("=H", socket.AF_INET) + struct.pack("!H", int(sys.argv[1])) \
    + socket.inet_aton("127.0.0.1") + bytes(8)
r = libc.connect(fd, addr, len(addr))
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
