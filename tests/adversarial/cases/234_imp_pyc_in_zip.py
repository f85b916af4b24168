"""Write a zip holding only a .pyc into the run's tmp, put it on sys.path
and import from it: zipimport unmarshals the program's bytecode.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "marshal.loads", "rule": "code.introspection", "action": "deny"}]}
}
"""
import importlib.util
import marshal
import os
import sys
import tempfile
import zipfile

d = tempfile.mkdtemp()
code = compile("print('ESCAPED: bytecode from the program\\'s zip ran')", "crafted", "exec")
z = os.path.join(d, "lib.zip")
with zipfile.ZipFile(z, "w") as zf:
    zf.writestr("zmod.pyc", importlib.util.MAGIC_NUMBER + b"\0" * 12 + marshal.dumps(code))
sys.path.insert(0, z)
try:
    import zmod  # noqa: F401
except (ImportError, OSError) as e:
    print("refused:", repr(e))
