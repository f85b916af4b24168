"""marshal.loads is allowed for the import system's own bytecode loading.
Call the import system's own function that does it,
importlib._bootstrap_external._compile_bytecode, with bytes we crafted
(bytecode no compiler would emit): the marshal.loads call then comes from
the genuine frozen importlib frame.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"rule": "code.introspection", "action": "deny"}]}
}
"""
import importlib._bootstrap_external as bext
import marshal


def f():
    return 1


data = bytearray(marshal.dumps(f.__code__))
code = bytes(f.__code__.co_code)
crafted = code[:-2] + bytes([code[-2] ^ 0, 0x7f])   # change the last instruction's argument
data[data.index(code):data.index(code) + len(code)] = crafted
try:
    c = bext._compile_bytecode(bytes(data), name="x")
    print("ESCAPED: crafted code object", c.co_code == crafted)
except (ImportError, EOFError, ValueError, TypeError, OSError, RuntimeError) as e:
    print("refused:", repr(e))
