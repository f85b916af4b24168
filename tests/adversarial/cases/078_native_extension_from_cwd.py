"""Import a C extension module dropped in the working directory (put first
on sys.path):
its ELF constructor runs at dlopen, before any init function, so the
extension must be refused before it is loaded.

{
  "policy": {"version": 1},
  "setup": {"build": {"CWD/evilext.cpython-311-x86_64-linux-gnu.so": "#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { write(1, \"ESCAPED: native code ran\\n\", 25); }\nvoid *PyInit_evilext(void) { return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "import", "rule": "native.extensions", "action": "deny"}]}
}
"""
import os
import sys

sys.path.insert(0, os.getcwd())
sys.stdout.flush()
try:
    import evilext  # noqa: F401
except (ImportError, SystemError, OSError) as e:
    print("refused:", repr(e), repr(e.__cause__))
