"""The policy allows port PORT on another host only (192.0.2.1, TEST-NET);
Landlock checks TCP ports, not hosts. Connect to the runner's listener on
that port with the short IPv4 form "127.1", which inet_aton accepts.

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

s = socket.socket()
try:
    s.connect(("127.1", int(sys.argv[1])))
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
