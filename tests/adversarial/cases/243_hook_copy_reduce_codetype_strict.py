"""copy.copy()'s route to types.CodeType (a genuine standard-library frame
builds a code object with forged constants) under builtin:strict's
settings (compile and exec logged, on_violation kill): the first forged
code object ends the sandbox before it runs.

{
  "policy": {"version": 1, "code": {"compile": "log", "exec": "log"}, "on_violation": "kill"},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "violation", "exit_code": null,
             "summary": {"killed_by": {"rule": "code.introspection", "layer": "audit"}},
             "events": [{"layer": "audit", "event": "code.__new__", "rule": "code.introspection", "action": "kill"}]}
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


victim.__code__ = copy.copy(Forge())
print("ESCAPED: code object forged ->", victim())
