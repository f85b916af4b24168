"""The raw UDP datagram again, with libc socket(AF_INET, SOCK_RAW)/sendto()
through ctypes, no network rules.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "socket", "rule": "network.socket", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import struct
import sys

port = int(sys.argv[1])
payload = b"raw datagram"
udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
if fd < 0:
    print("refused:", os.strerror(ctypes.get_errno()))
else:
    addr = struct.pack("=H", socket.AF_INET) + bytes(2) + socket.inet_aton("127.0.0.1") + bytes(8)
    r = libc.sendto(fd, udp, len(udp), 0, addr, len(addr))
    print("ESCAPED" if r >= 0 else "sendto refused: " + os.strerror(ctypes.get_errno()))
