"""Defeat a per-directory cache of resolved paths: write into a directory
of the private tmp (the hook resolves it), then swap that directory for a
symlink to the read-only working directory and write through the same
name again. A cache that kept the first resolution would let the second
write through as a write into tmp.

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
t = tempfile.mkdtemp()
d = os.path.join(t, "d")
os.mkdir(d)
for i in range(3):		# resolved (and cached, were it cacheable) first
    with open(os.path.join(d, "ok%d" % i), "w") as f:
        f.write("fine\n")
os.rename(d, d + ".old")
os.symlink(cwd, d)
try:
    with open(os.path.join(d, "victim.txt"), "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
