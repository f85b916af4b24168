"""Learn the size of the expected output (tests/1.out beside the
submission) and which other students' solution.py exist, with os.stat,
os.path.exists and os.path.getsize, under builtin:grading's settings.

Contained by the view (confinement.md "The view"): outside it a path does
not exist, so stat, exists and getsize see ENOENT; Landlock could not stop
a stat. Nothing is refused, so nothing is recorded. The program is the
witness: it prints ESCAPED with what it learnt.

{
  "policy": {"version": 1, "filesystem": {"read": ["."], "tmp": true},
             "limits": {"cpu_seconds": 2, "wall_seconds": 10, "memory_mb": 256, "tasks": 16,
                        "open_files": 64, "file_size_mb": 16}, "on_violation": "kill"},
  "args": ["BASE/tests/1.out", "OUTSIDE/solution.py"],
  "setup": {"files": {"BASE/tests/1.out": "42\n", "OUTSIDE/solution.py": "print(42)\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "outside the view a path does not exist: ENOENT, nothing refused (confinement.md, The view)"}
}
"""
import os
import sys

for path in sys.argv[1:]:
    try:
        print("ESCAPED stat", path, os.stat(path).st_size)
    except OSError as e:
        print("stat:", e.errno)
    if os.path.exists(path):
        print("ESCAPED exists", path)
    try:
        print("ESCAPED getsize", path, os.path.getsize(path))
    except OSError as e:
        print("getsize:", e.errno)
