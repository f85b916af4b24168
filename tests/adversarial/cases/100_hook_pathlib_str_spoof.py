"""The hook reads a pathlib path's cached string (_str) without calling the
object, and trusts it when the __fspath__ Python will call is the standard
library's. Keep the standard __fspath__ but override __str__ (which that
__fspath__ calls), and plant an innocent _str: the hook reads
"out/innocent", the kernel gets the path outside.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "args": ["OUTSIDE/x"],
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "filesystem.write", "action": "deny"}]}
}
"""
import os
import pathlib
import sys

target = sys.argv[1]


class Liar(pathlib.PosixPath):
    def __str__(self):
        return target


p = Liar("out/innocent")
p._str = "out/innocent"
try:
    fd = os.open(p, os.O_CREAT | os.O_WRONLY, 0o644)
    os.write(fd, b"pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
