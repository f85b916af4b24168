"""Open and read host files no policy names (/etc/os-release, /etc/hostname,
the sibling's solution.py) with libc open()/read() through ctypes.

Contained twice: the view has no such files (ENOENT), and Landlock refuses
reads outside the read set without a record. Nothing is recorded: native
reads are not seen by the hook, and with the view the kernel has nothing
to refuse (confinement.md "The view", "Reads outside the policy through
native code"). The program is the witness.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["/etc/os-release", "/etc/hostname", "OUTSIDE/solution.py"],
  "setup": {"files": {"OUTSIDE/solution.py": "SECRET-TOKEN\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "outside the view a path does not exist: ENOENT, nothing refused (confinement.md, The view)"}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
for path in sys.argv[1:]:
    fd = libc.open(path.encode(), os.O_RDONLY)
    if fd >= 0:
        print("ESCAPED", path, os.read(fd, 64))
    else:
        print(path, "errno", ctypes.get_errno())
