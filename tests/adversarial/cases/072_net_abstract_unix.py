"""Connect to an abstract UNIX socket the runner listens on. The policy has
a network rule, so the sandbox shares the host's network namespace (where
abstract names live); only the hook and Landlock's scoping stand between.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}},
  "args": ["ABSTRACT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "socket.connect", "rule": "network.connect", "action": "deny"}]}
}
"""
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect("\0" + sys.argv[1])
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
