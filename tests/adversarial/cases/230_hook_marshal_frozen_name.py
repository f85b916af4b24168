"""Unpack a crafted code object with marshal.loads from code the program
compiled under the import system's own file name
("<frozen importlib._bootstrap_external>"): a hook that trusts co_filename
takes the program's frame for the import system's.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "marshal.loads", "rule": "code.introspection", "action": "deny"}]}
}
"""
import marshal


def f():
    return "harmless"


data = marshal.dumps(f.__code__).replace(b"harmless", b"FORGED!!")
src = "def _compile_bytecode(data):\n    return marshal.loads(data)\n" \
      "def get_code(data):\n    return _compile_bytecode(data)\n"
ns = {"marshal": marshal}
exec(compile(src, "<frozen importlib._bootstrap_external>", "exec"), ns)
try:
    code = ns["get_code"](data)
    f.__code__ = code
    print("ESCAPED: crafted code object unpacked ->", f())
except (PermissionError, RuntimeError) as e:
    print("refused:", e)
