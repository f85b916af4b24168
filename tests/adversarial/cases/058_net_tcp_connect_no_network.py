"""TCP connection to a listener the runner owns on 127.0.0.1, under the
default policy (no network at all).

{
  "policy": {"version": 1},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "socket.__new__", "rule": "network.socket", "action": "deny"}]}
}
"""
import socket
import sys

try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
