"""UDP datagram to an unlisted port with libc sendto() through ctypes.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}, "native": {"ctypes": true}},
  "args": ["UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "sendto", "rule": "network.connect", "action": "deny", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import struct
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_DGRAM, 0)
addr = struct.pack("=H", socket.AF_INET) + struct.pack("!H", int(sys.argv[1])) \
    + socket.inet_aton("127.0.0.1") + bytes(8)
r = libc.sendto(fd, b"exfiltrated", 11, 0, addr, len(addr))
print("ESCAPED" if r >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
