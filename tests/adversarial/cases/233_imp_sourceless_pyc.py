"""Write a sourceless .pyc (bytecode no source vouches for: CPython does
not verify bytecode, so a crafted one is native code) into the run's tmp
and load it with a plain import: the real import system unmarshals it.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "code.introspection", "action": "deny"}]}
}
"""
import importlib.util
import marshal
import os
import sys
import tempfile

d = tempfile.mkdtemp()
code = compile("print('ESCAPED: bytecode the program wrote ran')", "crafted", "exec")
with open(os.path.join(d, "crafted_mod.pyc"), "wb") as f:
    f.write(importlib.util.MAGIC_NUMBER + b"\0" * 12 + marshal.dumps(code))
sys.path.insert(0, d)
try:
    import crafted_mod  # noqa: F401
except (ImportError, OSError) as e:
    print("refused:", repr(e))
