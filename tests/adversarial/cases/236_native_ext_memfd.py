"""Load an extension through ExtensionFileLoader from /proc/self/fd/N: a
memfd (or, where memfds are refused, a file of the run's tmp opened once)
holding a shared object, so the path ends in no ".so" and names no file in
any directory.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "setup": {"build": {"CWD/evilext.so": "#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { write(1, \"ESCAPED: native code ran\\n\", 25); }\nvoid *PyInit_evilext(void) { return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "import", "rule": "native.extensions", "action": "deny"}]}
}
"""
import importlib.machinery
import importlib.util
import os
import sys
import tempfile

sys.stdout.flush()
with open("evilext.so", "rb") as f:
    blob = f.read()
try:
    fd = os.memfd_create("evilext", 0)
except OSError:
    fd, _ = tempfile.mkstemp()
os.write(fd, blob)
path = "/proc/self/fd/%d" % fd
try:
    loader = importlib.machinery.ExtensionFileLoader("evilext", path)
    spec = importlib.util.spec_from_file_location("evilext", path, loader=loader)
    importlib.util.module_from_spec(spec)
except (ImportError, SystemError, OSError) as e:
    print("refused:", repr(e), repr(e.__cause__))
