"""With ctypes allowed, remove the runtime's audit hooks: zero
_PyRuntime.audit_hook_head (offset 656 in Debian's 3.11, found with
PySys_AddAuditHook) through ctypes.pythonapi, then create a file outside.
Native code may unhook the interpreter; the kernel layers must still
refuse the write and report it.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "action": "deny", "detail_contains": "outside/x"}]}
}
"""
import ctypes
import sys

api = ctypes.pythonapi
runtime = ctypes.addressof(ctypes.c_char.in_dll(api, "_PyRuntime"))
head = ctypes.c_void_p.from_address(runtime + 656)
print("audit_hook_head was", hex(head.value or 0))
head.value = None
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
