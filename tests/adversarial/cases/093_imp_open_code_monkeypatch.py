"""Monkeypatch the import system's io (importlib._bootstrap_external._io)
so that source files are read with a plain FileIO instead of
io.open_code (which carries the sandbox's open-code hook), then load
socket.py under another name.

The policy allows a TCP connection to the runner's listener but denies the
socket module (and so its C implementation _socket, the only way to make
a socket): any route to a socket is an escape of imports.deny. The bytes
the loader then reads did not come through the open-code hook, so their
provenance is unknown: marshal.loads refuses them before any code of the
denied module exists (code.introspection), earlier than imports.deny would.

{
  "policy": {"version": 1, "imports": {"deny": ["socket"]}, "network": {"connect": ["127.0.0.1:PORT"]}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "marshal.loads", "rule": "code.introspection", "action": "deny"}]}
}
"""
import _io
import importlib._bootstrap_external as bext
import importlib.util
import io
import os
import sys
import types

fake_io = types.SimpleNamespace(**{k: getattr(_io, k) for k in dir(_io) if not k.startswith("__")})
fake_io.open_code = lambda path: _io.FileIO(path, "r")
bext._io = fake_io
io.open_code = fake_io.open_code
path = os.path.join(os.path.dirname(os.__file__), "socket.py")
try:
    spec = importlib.util.spec_from_file_location("innocent_net", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["innocent_net"] = mod
    spec.loader.exec_module(mod)
    mod.create_connection(("127.0.0.1", int(sys.argv[1]))).sendall(b"hello")
    print("ESCAPED")
except (ImportError, PermissionError) as e:
    print("refused:", repr(e), repr(e.__cause__))
