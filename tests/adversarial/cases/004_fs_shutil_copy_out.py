"""Copy a readable file of the working directory to outside with shutil.copy.

{
  "policy": {"version": 1},
  "args": ["CWD/data.txt", "OUTSIDE/copy.txt"],
  "setup": {"files": {"CWD/data.txt": "exfiltrated data\n"}},
  "oracle": {"absent": "OUTSIDE/copy.txt"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "filesystem.write", "action": "deny"}]}
}
"""
import shutil
import sys

try:
    shutil.copy(sys.argv[1], sys.argv[2])
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
