"""Hard-link a read-only file of the working directory into the writable
tree with libc link(), then write through the link: Landlock's REFER right
must stop a file from gaining rights by changing directory.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}},
  "args": ["CWD/data.txt", "CWD/out/hl.txt"],
  "setup": {"dirs": ["CWD/out"], "files": {"CWD/data.txt": "read-only data\n"}},
  "oracle": {"unchanged": "CWD/data.txt", "absent": "CWD/out/hl.txt"},
  "expect": {"status": "ok",
             "events": [{"syscall_contains": "link", "rule": "filesystem.write", "bypass": true}]}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
r = libc.link(sys.argv[1].encode(), sys.argv[2].encode())
if r != 0:
    print("refused:", os.strerror(ctypes.get_errno()))
else:
    fd = libc.open(sys.argv[2].encode(), os.O_WRONLY | os.O_APPEND)
    if fd >= 0:
        libc.write(fd, b"pwned\n", 6)
    print("ESCAPED")
