"""Defeat a per-directory cache by renaming a parent: write into tmp/a/b
(resolved by the hook), rename tmp/a away and put a symlink to the
read-only working directory, which has its own b/, in its place, then
write tmp/a/b/victim.txt. Only the parent changed; a cache keyed on
tmp/a/b alone would not notice.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "args": ["CWD"],
  "setup": {"files": {"CWD/b/victim.txt": "original\n"}},
  "oracle": {"unchanged": "CWD/b/victim.txt"},
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
os.makedirs(os.path.join(t, "a", "b"))
for i in range(3):
    with open(os.path.join(t, "a", "b", "ok%d" % i), "w") as f:
        f.write("fine\n")
os.rename(os.path.join(t, "a"), os.path.join(t, "a.old"))
os.symlink(cwd, os.path.join(t, "a"))
try:
    with open(os.path.join(t, "a", "b", "victim.txt"), "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
