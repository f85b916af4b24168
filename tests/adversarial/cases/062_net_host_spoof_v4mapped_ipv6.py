"""Same port-only Landlock gap, through an AF_INET6 socket and the
IPv4-mapped address ::ffff:127.0.0.1 (the listener is IPv4-only).

{
  "policy": {"version": 1, "network": {"connect": ["192.0.2.1:PORT"]}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "socket.connect", "rule": "network.connect", "action": "deny"}]}
}
"""
import socket
import sys

s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
try:
    s.connect(("::ffff:127.0.0.1", int(sys.argv[1])))
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
