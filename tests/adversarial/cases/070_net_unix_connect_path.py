"""Connect to a UNIX stream socket the runner listens on (in OUTSIDE,
mode 0777), under the default policy: no network means no connect either.

{
  "policy": {"version": 1},
  "args": ["SOCK"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "network.connect", "action": "deny"}]}
}
"""
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
