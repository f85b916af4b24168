"""Forge a code object with code.replace from code the program compiled
under a standard-library file name (/usr/lib/python3.11/*.py) that has a
nested function with the same bytecode: a hook that exempts "the standard
library" by co_filename lets new constants through.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "code.__new__", "rule": "code.introspection", "action": "deny"}]}
}
"""
import sysconfig

src = """
def outer(f):
    def inner():
        return "harmless"
    c = f.__code__
    return c.replace(co_consts=(None, "FORGED"))
"""
ns = {}
exec(compile(src, sysconfig.get_paths()["stdlib"] + "/functools.py", "exec"), ns)


def victim():
    return "harmless"


try:
    victim.__code__ = ns["outer"](victim)
    print("ESCAPED: code object forged ->", victim())
except (PermissionError, RuntimeError) as e:
    print("refused:", e)
