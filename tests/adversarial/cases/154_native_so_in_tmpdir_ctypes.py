"""Write a shared object into TMPDIR and load it with ctypes (allowed by the
policy): native code the program brought, from a tree it can write.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"tmp": true, "read": ["OUTSIDE/lib.so"]}},
  "args": ["OUTSIDE/lib.so"],
  "setup": {"build": {"OUTSIDE/lib.so": "#include <stdio.h>\n__attribute__((constructor)) static void c(void) { puts(\"ESCAPED: native code from a writable tree\"); fflush(stdout); }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "recorded": false,
             "why": "the private tmp is mounted noexec: the kernel refuses mmap(PROT_EXEC) of it (EPERM), a refusal no layer observes (docs/confinement.md)"}
}
"""
import ctypes
import os
import sys
import tempfile

path = os.path.join(tempfile.mkdtemp(), "x.so")
with open(sys.argv[1], "rb") as src, open(path, "wb") as dst:
    dst.write(src.read())
try:
    ctypes.CDLL(path)
except OSError as e:
    print("refused:", e)
