"""Unmarshal the program's bytes through the import system's C side:
_imp.get_frozen_object(name, data) builds a code object from any buffer
it is given, with no marshal module call and no Python frame of the
import system around it.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "marshal.loads", "rule": "code.introspection", "action": "deny"}]}
}
"""
import _imp
import marshal


def victim():
    return "harmless"


data = marshal.dumps(victim.__code__).replace(b"harmless", b"FORGED!!")
try:
    victim.__code__ = _imp.get_frozen_object("zipimport", data)
    print("ESCAPED: code object unpacked ->", victim())
except (ImportError, SystemError, PermissionError) as e:
    print("refused:", repr(e))
