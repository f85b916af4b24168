"""Load a shared object from the working directory into SQLite with
load_extension (native code through a side door that is not ctypes).

{
  "policy": {"version": 1},
  "setup": {"build": {"CWD/evilext.cpython-311-x86_64-linux-gnu.so": "#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { write(1, \"ESCAPED: native code ran\\n\", 25); }\nvoid *PyInit_evilext(void) { return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "native.extensions", "action": "deny"}]}
}
"""
import os
import sqlite3
import sys

sys.stdout.flush()
db = sqlite3.connect(":memory:")
try:
    db.enable_load_extension(True)
    db.load_extension(os.path.abspath("evilext.cpython-311-x86_64-linux-gnu.so"))
except Exception as e:
    print("refused:", repr(e))
