"""Raw IPv4 socket (IPPROTO_UDP): hand-craft a UDP datagram to the runner's
UDP port, the kind of socket that also sniffs and spoofs. No network rules.

{
  "policy": {"version": 1},
  "args": ["UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "socket.__new__", "rule": "network.socket", "action": "deny"}]}
}
"""
import socket
import struct
import sys

port = int(sys.argv[1])
payload = b"raw datagram"
udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.sendto(udp, ("127.0.0.1", 0))
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
