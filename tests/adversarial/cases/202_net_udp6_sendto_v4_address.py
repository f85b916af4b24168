"""sendto() on an IPv6 UDP socket with an AF_INET address: the kernel
sends it over IPv4 (the socket is not v6-only). The runner's UDP socket
on 127.0.0.1 is not listed; only [::1]:UDPPORT is.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["[::1]:UDPPORT"]}},
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
addr = struct.pack("=H", socket.AF_INET) + struct.pack("!H", port) + socket.inet_aton("127.0.0.1") + bytes(8)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET6, socket.SOCK_DGRAM, 0)
n = libc.sendto(fd, b"hello from the sandbox", 22, 0, addr, 16)
print("sent" if n > 0 else "refused, errno %d" % ctypes.get_errno())
