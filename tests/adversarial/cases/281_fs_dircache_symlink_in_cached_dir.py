"""Defeat a cache of a read-only directory: read files of the working
directory (a directory nothing inside can change, which the hook resolves
once per run), then try to plant a symlink there, to the private tmp's
file, and write through it; and write through a symlink the runner planted
there before the run, to a file of the working directory's sibling. The
last component of a path in a cached directory is looked at every time.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "args": ["CWD"],
  "setup": {"files": {"CWD/data.txt": "data\n", "OUTSIDE/victim.txt": "original\n"},
            "symlinks": {"CWD/planted": "OUTSIDE/victim.txt"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write",
                         "path_contains": "victim.txt"}]}
}
"""
import os
import sys
import tempfile

cwd = sys.argv[1]
for i in range(3):
    open(os.path.join(cwd, "data.txt")).read()
try:
    os.symlink(os.path.join(tempfile.mkdtemp(), "x"), os.path.join(cwd, "mine"))
except OSError as e:
    print("symlink refused:", e)
try:
    with open(os.path.join(cwd, "planted"), "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
