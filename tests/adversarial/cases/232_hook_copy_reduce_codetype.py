"""Build a code object with forged constants inside the standard library's
own frame: copy.copy() of an object whose __reduce_ex__ returns
(types.CodeType, args) calls CodeType from copy._reconstruct, a genuine
standard-library function.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "code.__new__", "rule": "code.introspection", "action": "deny"}]}
}
"""
import copy
import types


def victim():
    return "harmless"


c = victim.__code__


class Forge:
    def __reduce_ex__(self, proto):
        return (types.CodeType, (c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals,
                                 c.co_stacksize, c.co_flags, c.co_code, (None, "FORGED"), c.co_names,
                                 c.co_varnames, c.co_filename, c.co_name, c.co_qualname, c.co_firstlineno,
                                 c.co_linetable, c.co_exceptiontable, c.co_freevars, c.co_cellvars))


try:
    victim.__code__ = copy.copy(Forge())
    print("ESCAPED: code object forged ->", victim())
except (PermissionError, RuntimeError) as e:
    print("refused:", e)
