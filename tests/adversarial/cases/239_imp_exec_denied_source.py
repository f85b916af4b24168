"""imports.deny names the pure-Python socket module: read socket.py's
source and exec it under another name, then connect with what it defines.
The capability lives in the C module _socket, which the denial covers.

{
  "policy": {"version": 1, "imports": {"deny": ["socket"]}, "network": {"connect": ["127.0.0.1:PORT"]}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "import", "rule": "imports.deny", "action": "deny"}]}
}
"""
import os
import sys
import sysconfig
import types

src = open(os.path.join(sysconfig.get_paths()["stdlib"], "socket.py")).read()
mod = types.ModuleType("not_socket")
sys.modules["not_socket"] = mod
ns = mod.__dict__
try:
    exec(compile(src, "not_socket", "exec"), ns)
    ns["create_connection"](("127.0.0.1", int(sys.argv[1]))).sendall(b"hello")
    print("ESCAPED")
except ImportError as e:
    print("refused:", repr(e), repr(e.__cause__))
