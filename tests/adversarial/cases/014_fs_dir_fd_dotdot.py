"""os.open relative to a directory descriptor of the (writable) working
directory, with a path that climbs out of it.

{
  "policy": {"version": 1, "filesystem": {"write": ["."]}},
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write"}]}
}
"""
import os

dfd = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
try:
    fd = os.open("../outside/x", os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=dfd)
    os.write(fd, b"pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
