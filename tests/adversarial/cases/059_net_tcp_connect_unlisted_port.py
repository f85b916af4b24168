"""The policy allows one TCP destination (so the host network is used);
connect to another port on the same host.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "socket.connect", "rule": "network.connect", "action": "deny"}]}
}
"""
import socket
import sys

s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
