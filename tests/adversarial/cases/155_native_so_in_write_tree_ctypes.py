"""Write a shared object into a write tree and load it with ctypes
(allowed by the policy): native code the program brought, from a tree it
can write.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["CWD/out"], "read": ["OUTSIDE/lib.so"]}},
  "args": ["OUTSIDE/lib.so", "CWD/out/x.so"],
  "setup": {"dirs": ["CWD/out"],
            "build": {"OUTSIDE/lib.so": "#include <stdio.h>\n__attribute__((constructor)) static void c(void) { puts(\"ESCAPED: native code from a writable tree\"); fflush(stdout); }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "recorded": false,
             "why": "write trees are mounted noexec: the kernel refuses mmap(PROT_EXEC) of their files (EPERM), a refusal no layer observes (docs/confinement.md)"}
}
"""
import ctypes
import sys

with open(sys.argv[1], "rb") as src, open(sys.argv[2], "wb") as dst:
    dst.write(src.read())
try:
    ctypes.CDLL(sys.argv[2])
except OSError as e:
    print("refused:", e)
