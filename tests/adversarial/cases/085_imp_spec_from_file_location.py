"""Load the standard library's socket.py under another module name with
importlib.util.spec_from_file_location (no name to deny).

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
import importlib.util
import os
import sys

path = os.path.join(os.path.dirname(os.__file__), "socket.py")
try:
    spec = importlib.util.spec_from_file_location("innocent_net", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["innocent_net"] = mod
    spec.loader.exec_module(mod)
    mod.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"hello")
    print("ESCAPED")
except ImportError as e:
    print("refused:", repr(e), repr(e.__cause__))
