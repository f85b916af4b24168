"""A zip in the working directory holds a module that wraps _socket;
load it with zipimport (the import system reads the zip itself).

The policy allows a TCP connection to the runner's listener but denies the
socket module (and so its C implementation _socket, the only way to make
a socket): any route to a socket is an escape of imports.deny.

{
  "policy": {"version": 1, "imports": {"deny": ["socket"]}, "network": {"connect": ["127.0.0.1:PORT"]}},
  "args": ["PORT"],
  "setup": {"zips": {"CWD/mods.zip": {"netmod.py": "import _socket\ndef connect(port):\n    s = _socket.socket()\n    s.connect(('127.0.0.1', port))\n    s.send(b'hello')\n"}}},
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "imports.deny", "action": "deny"}]}
}
"""
import importlib.util
import sys
import zipimport

try:
    spec = zipimport.zipimporter("mods.zip").find_spec("netmod")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.connect(int(sys.argv[1]))
    print("ESCAPED")
except ImportError as e:
    print("refused:", repr(e), repr(e.__cause__))
