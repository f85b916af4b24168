"""UDP sendto() whose address says sa_family = AF_UNSPEC: IPv4 UDP reads
it as AF_INET and sends to its port. A supervisor that calls AF_UNSPEC
harmless (a disconnect, for connect) lets a datagram out to a port no rule
names.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}},
  "args": ["UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "sendto", "rule": "network.connect", "action": "deny", "bypass": true}]}
}
"""
import ctypes
import socket
import struct
import sys

port = int(sys.argv[1])
addr = struct.pack("=H", socket.AF_UNSPEC) + struct.pack("!H", port) + socket.inet_aton("127.0.0.1") + bytes(8)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_DGRAM, 0)
n = libc.sendto(fd, b"hello from the sandbox", 22, 0, addr, 16)
print("sent" if n > 0 else "refused, errno %d" % ctypes.get_errno())
