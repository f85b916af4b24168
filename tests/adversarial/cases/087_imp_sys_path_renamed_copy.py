"""A copy of the standard library's socket.py, renamed netsock.py, in a
directory of the working directory put first on sys.path.

The policy allows a TCP connection to the runner's listener but denies the
socket module (and so its C implementation _socket, the only way to make
a socket): any route to a socket is an escape of imports.deny.

{
  "policy": {"version": 1, "imports": {"deny": ["socket"]}, "network": {"connect": ["127.0.0.1:PORT"]}},
  "args": ["PORT"],
  "setup": {"copies": {"CWD/lib/netsock.py": "/usr/lib/python3.11/socket.py"}},
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "imports.deny", "action": "deny"}]}
}
"""
import os
import sys

sys.path.insert(0, os.path.abspath("lib"))
try:
    import netsock
    netsock.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"hello")
    print("ESCAPED")
except ImportError as e:
    print("refused:", repr(e), repr(e.__cause__))
