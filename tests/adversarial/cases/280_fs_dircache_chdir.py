"""Defeat a cache of the working directory: change into the private tmp,
write and read a relative name there (allowed, and resolved by the hook),
then change back into the read-only working directory and write the same
kind of relative name. A cache that remembered where relative names
resolved would let the write through as one into tmp.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "args": ["CWD"],
  "setup": {"files": {"CWD/victim.txt": "original\n"}},
  "oracle": {"unchanged": "CWD/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write",
                         "path_contains": "victim.txt"}]}
}
"""
import os
import sys
import tempfile

cwd = sys.argv[1]
os.chdir(tempfile.mkdtemp())
for i in range(3):
    with open("victim.txt", "w") as f:
        f.write("fine\n")
    open("victim.txt").read()
os.chdir(cwd)
open("victim.txt").read()	# the working directory read: cached if anything is
try:
    with open("victim.txt", "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
