"""Forge a code object with code.replace (new bytecode and constants: the
first step of every pure-Python memory corruption exploit).

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "code.__new__", "rule": "code.introspection", "action": "deny"}]}
}
"""


def f():
    return "harmless"


try:
    forged = f.__code__.replace(co_consts=("forged",) + f.__code__.co_consts[1:])
    f.__code__ = forged
    print("ESCAPED: code object forged ->", f())
except (RuntimeError, OSError) as e:
    print("refused:", e)
