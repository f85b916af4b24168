"""chmod a read-only file of the working directory through a descriptor
opened for reading, with fchmodat2(fd, "", mode, AT_EMPTY_PATH) (Linux 6.6+,
a syscall newer than most filters).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["CWD/data.txt"],
  "setup": {"files": {"CWD/data.txt": "data\n"}, "modes": {"CWD/data.txt": 420}},
  "oracle": {"unchanged": "CWD/data.txt"},
  "expect": {"status": "ok",
             "events": [{"syscall": "fchmodat2", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
r = libc.syscall(452, fd, b"", 0o777, 0x1000)       # SYS_fchmodat2, AT_EMPTY_PATH
print("ESCAPED" if r == 0 else "refused: " + os.strerror(ctypes.get_errno()))
