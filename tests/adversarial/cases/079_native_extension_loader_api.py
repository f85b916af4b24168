"""The same extension from the working directory, loaded through
importlib.util.spec_from_file_location / ExtensionFileLoader under a
different module name (no "import evilext" statement anywhere).

{
  "policy": {"version": 1},
  "setup": {"build": {"CWD/evilext.cpython-311-x86_64-linux-gnu.so": "#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { write(1, \"ESCAPED: native code ran\\n\", 25); }\nvoid *PyInit_evilext(void) { return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "native.extensions", "action": "deny"}]}
}
"""
import importlib.machinery
import importlib.util
import os
import sys

sys.stdout.flush()
path = os.path.abspath("evilext.cpython-311-x86_64-linux-gnu.so")
try:
    loader = importlib.machinery.ExtensionFileLoader("evilext", path)
    spec = importlib.util.spec_from_file_location("evilext", path, loader=loader)
    importlib.util.module_from_spec(spec)
except (ImportError, SystemError, OSError) as e:
    print("refused:", repr(e), repr(e.__cause__))
