"""A stock FileFinder path hook registered for another suffix (".bin")
with ExtensionFileLoader: a shared object the program copied into the
run's tmp loads through a plain import, and its name ends in no ".so".

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "setup": {"build": {"CWD/evilext.so": "#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { write(1, \"ESCAPED: native code ran\\n\", 25); }\nvoid *PyInit_evilext(void) { return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "import", "rule": "native.extensions", "action": "deny"}]}
}
"""
import importlib.machinery
import os
import shutil
import sys
import tempfile

sys.stdout.flush()
d = tempfile.mkdtemp()
shutil.copyfile("evilext.so", os.path.join(d, "evilext.bin"))
sys.path_hooks.insert(0, importlib.machinery.FileFinder.path_hook(
    (importlib.machinery.ExtensionFileLoader, [".bin"])))
sys.path_importer_cache.clear()
sys.path.insert(0, d)
try:
    import evilext  # noqa: F401
except (ImportError, SystemError, OSError) as e:
    print("refused:", repr(e), repr(e.__cause__))
