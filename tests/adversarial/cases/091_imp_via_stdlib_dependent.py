"""Reach the socket module through another standard module that imports
it internally (http.client), and connect with HTTPConnection.

The policy allows a TCP connection to the runner's listener but denies the
socket module (and so its C implementation _socket, the only way to make
a socket): any route to a socket is an escape of imports.deny.

{
  "policy": {"version": 1, "imports": {"deny": ["socket"]}, "network": {"connect": ["127.0.0.1:PORT"]}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "imports.deny", "action": "deny"}]}
}
"""
import sys

try:
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=2)
    conn.connect()
    conn.sock.sendall(b"hello")
    print("ESCAPED")
except ImportError as e:
    print("refused:", repr(e), repr(e.__cause__))
