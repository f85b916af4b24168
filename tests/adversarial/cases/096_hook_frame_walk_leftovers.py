"""sys._getframe is allowed (the stdlib needs it): walk every frame
reachable with f_back - from the program's module frame, from inside an
import, and from the traceback of a denial the hook raised - and search
their globals and locals for a socket module someone held on to.

The policy allows a TCP connection to the runner's listener but denies the
socket module (and so its C implementation _socket).

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

frames = []


def collect(f):
    while f is not None:
        frames.append(f)
        f = f.f_back


collect(sys._getframe())


class Spy:
    def find_spec(self, name, path=None, target=None):
        collect(sys._getframe())
        return None


sys.meta_path.insert(0, Spy())
try:
    import socket  # noqa: F401
except ImportError as e:
    tb = e.__traceback__
    while tb is not None:
        collect(tb.tb_frame)
        tb = tb.tb_next
found = None
for f in frames:
    for ns in (f.f_globals, f.f_locals):
        for v in list(ns.values()):
            if isinstance(v, types.ModuleType) and v.__name__ in ("socket", "_socket"):
                found = v
print(len(frames), "frames walked, found", found)
if found is not None:
    s = found.socket()
    s.connect(("127.0.0.1", int(sys.argv[1])))
    s.send(b"hello")
    print("ESCAPED")
