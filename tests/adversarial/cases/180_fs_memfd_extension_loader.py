"""Load native code from pure Python without writing a file anywhere:
copy a shared object into a memfd and hand /proc/self/fd/N to the stock
ExtensionFileLoader. Its constructor runs before any import check can
look at a module name. Landlock does not judge memfds.

{
  "policy": {"version": 1},
  "setup": {"build": {"CWD/evil.so": "#include <unistd.h>\n__attribute__((constructor)) static void run(void) { write(1, \"ESCAPED: native code ran\\n\", 25); }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"syscall": "memfd_create", "rule": "native.ctypes"}]}
}
"""
import importlib.machinery
import importlib.util
import os
import sys

try:
    fd = os.memfd_create("evil")
except OSError as e:
    print("memfd_create refused:", e)
    sys.exit(0)
with open("evil.so", "rb") as f:
    os.write(fd, f.read())
path = "/proc/self/fd/%d" % fd
loader = importlib.machinery.ExtensionFileLoader("evil", path)
spec = importlib.util.spec_from_file_location("evil", path, loader=loader)
try:
    importlib.util.module_from_spec(spec)
except Exception as e:
    print("load:", type(e).__name__, e)
sys.stdout.flush()
