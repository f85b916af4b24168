"""Feed crafted bytecode to the genuine import system: a SourceFileLoader
subclass whose get_data returns the program's bytes for the cached .pyc, so
that the real SourceLoader.get_code and _compile_bytecode unmarshal them
(every frame around marshal.loads is the import system's).

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "marshal.loads", "rule": "code.introspection", "action": "deny"}]}
}
"""
import importlib.machinery
import importlib.util
import marshal
import os

crafted = compile("print('ESCAPED: crafted bytecode through the real loader')", "crafted", "exec")
pyc = importlib.util.MAGIC_NUMBER + b"\0" * 4 + b"\0" * 8 + marshal.dumps(crafted)


class Loader(importlib.machinery.SourceFileLoader):
    def path_stats(self, path):
        return {"mtime": 0, "size": 0}

    def get_data(self, path):
        if path.endswith(".pyc"):
            return pyc
        return b"print('only the source ran')\n"


path = os.path.abspath("ghost.py")
loader = Loader("ghost", path)
spec = importlib.util.spec_from_file_location("ghost", path, loader=loader)
try:
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
except (ImportError, OSError) as e:
    print("refused:", repr(e))
