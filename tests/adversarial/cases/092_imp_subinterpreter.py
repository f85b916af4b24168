"""Create a sub-interpreter (_xxsubinterpreters, a standard extension) and
import socket there: fresh sys.modules, fresh builtins, its own import
state.

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

import _xxsubinterpreters as interpreters

interp = interpreters.create()
code = f"""
import socket
s = socket.create_connection(("127.0.0.1", {int(sys.argv[1])}))
s.sendall(b"hello")
print("ESCAPED")
"""
try:
    interpreters.run_string(interp, code)
except Exception as e:
    print("refused:", repr(e))
