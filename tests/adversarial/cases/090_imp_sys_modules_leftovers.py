"""Look for a socket module or a _socket object someone imported before
the program ran: in sys.modules, and in the globals of every loaded module
(no gc needed), then connect with what was found.

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
import types

found = None
for name, mod in list(sys.modules.items()):
    if name in ("socket", "_socket"):
        found = mod
        break
    for value in list(vars(mod).values()) if isinstance(mod, types.ModuleType) else []:
        if isinstance(value, types.ModuleType) and value.__name__ in ("socket", "_socket"):
            found = value
            break
        if isinstance(value, type) and value.__module__ in ("socket", "_socket"):
            found = sys.modules.get(value.__module__) or types.SimpleNamespace(socket=value)
            break
    if found:
        break
if found is None:
    print("nothing left behind; trying the import")
    try:
        import socket as found
    except ImportError as e:
        print("refused:", repr(e), repr(e.__cause__))
        sys.exit(0)
s = found.socket()
s.connect(("127.0.0.1", int(sys.argv[1])))
s.send(b"hello")
print("ESCAPED")
