"""A rename through code.replace is let through, because it builds nothing
new. The program adds a Python audit hook: it runs inside that rename's
own code.__new__ event, after the sandbox's native hook decided, and
builds a code object with forged constants there with types.CodeType.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "code.__new__", "rule": "code.introspection", "action": "deny"}]}
}
"""
import sys
import types


def victim():
    return "harmless"


forged = []


def hook(event, args):
    if event == "code.__new__" and not forged:
        forged.append(None)
        try:
            c = victim.__code__
            forged[0] = types.CodeType(
                c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals, c.co_stacksize,
                c.co_flags, c.co_code, (None, "FORGED"), c.co_names, c.co_varnames, c.co_filename,
                c.co_name, c.co_qualname, c.co_firstlineno, c.co_linetable, c.co_exceptiontable,
                c.co_freevars, c.co_cellvars)
        except (PermissionError, RuntimeError) as e:
            print("refused:", e)


sys.addaudithook(hook)
(lambda: 0).__code__.replace(co_name="renamed")
if forged and forged[0] is not None:
    victim.__code__ = forged[0]
    print("ESCAPED: code object forged ->", victim())
