"""Give a file in the writable tree file capabilities (security.capability,
cap_setuid+ep) from pure Python: no chmod, no set-uid bit, and the same
privilege when a user runs it after the sandbox.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"], "files": {"CWD/out/f": "#!/bin/sh\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"rule": "filesystem.write", "syscall": "setxattr"}]}
}
"""
import os
import struct

# VFS_CAP_REVISION_2 with CAP_SETUID (7) permitted and effective.
cap = struct.pack("<IIIII", 0x02000001, 1 << 7, 0, 0, 0)
try:
    os.setxattr("out/f", "security.capability", cap)
except OSError as e:
    print("setxattr refused:", e)
try:
    if os.getxattr("out/f", "security.capability"):
        print("ESCAPED: file capabilities set")
except OSError:
    pass
