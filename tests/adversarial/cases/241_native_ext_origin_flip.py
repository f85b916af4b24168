"""A module spec whose origin changes between reads: the first read names
the standard library's own extension, every later one the program's
shared object. If the loader judged one read and dlopened another, native
code of the program would run.

{
  "policy": {"version": 1},
  "setup": {"build": {"CWD/evilext.so": "#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { write(1, \"ESCAPED: native code ran\\n\", 25); }\nvoid *PyInit_evilext(void) { return 0; }\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "import", "rule": "native.extensions", "action": "deny"}]}
}
"""
import _imp
import glob
import os
import sys
import sysconfig

sys.stdout.flush()
good = glob.glob(os.path.join(sysconfig.get_paths()["platstdlib"], "lib-dynload", "_json*.so"))[0]
evil = os.path.abspath("evilext.so")


class Spec:
    name = "evilext"
    reads = 0

    @property
    def origin(self):
        Spec.reads += 1
        return good if Spec.reads == 1 else evil


for n in range(1, 4):
    Spec.reads = 1 - n      # the good path at the n-th read
    try:
        _imp.create_dynamic(Spec())
    except (ImportError, SystemError, OSError) as e:
        print("refused:", n, repr(e))
