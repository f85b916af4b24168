"""fchmod 04755 through ctypes on a root-owned program in a tree the
sandbox may only read, which is idmapped so that uid 64981 can pass it:
through the mapping the file looks like the sandbox's own, so the kernel's
owner check for chmod passes, and on disk it is a set-uid root program.
The supervisor refuses fchmod outside the write trees; behind it, the
idmapped tree is mounted read-only (EROFS) (docs/confinement.md).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["CWD/tool"],
  "setup": {"files": {"CWD/tool": "#!/bin/sh\nid\n"}, "modes": {"CWD/tool": 493}},
  "oracle": {"no_setid": "CWD", "unchanged": "CWD/tool"},
  "expect": {"status": "ok",
             "events": [{"syscall": "fchmod", "action": "deny"}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
r = libc.fchmod(fd, 0o4755)
print("ESCAPED: set-uid" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
