"""Get an O_PATH descriptor of a file outside with libc (O_PATH opens
nothing for reading or writing, so they pass), then reopen it for writing
through /proc/self/fd/N with open().

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/victim.txt"],
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write"}]}
}
"""
import ctypes
import os
import sys

O_PATH = 0o10000000
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), O_PATH)
print("O_PATH fd:", fd, "" if fd >= 0 else os.strerror(ctypes.get_errno()))
try:
    with open(f"/proc/self/fd/{fd}", "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
