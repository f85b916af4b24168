"""Instantiate the built-in _socket module with _imp.create_builtin, below
importlib (no import statement, no finder, no import event).

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
import _imp
import importlib.machinery
import sys

try:
    spec = importlib.machinery.ModuleSpec("_socket", importlib.machinery.BuiltinImporter,
                                          origin="built-in")
    _socket = _imp.create_builtin(spec)
    if _socket is None or not hasattr(_socket, "socket"):
        raise ImportError(f"create_builtin gave {_socket!r}")
    s = _socket.socket()
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.send(b"hello")
    print("ESCAPED")
except ImportError as e:
    print("refused:", repr(e), repr(e.__cause__))
    try:
        import socket  # noqa: F401  (then the front door: a denial to record)
    except ImportError as e:
        print("refused:", repr(e))
