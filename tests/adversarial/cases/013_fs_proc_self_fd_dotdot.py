"""Walk out of the working directory through /proc/self/fd/N/..: the magic
link names the directory, '..' leaves it.

{
  "policy": {"version": 1, "filesystem": {"write": ["."]}},
  "setup": {},
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "action": "deny"}]}
}
"""
import os

dfd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
path = f"/proc/self/fd/{dfd}/../outside/x"
try:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
