"""A symlink planted in the working directory points at a secret outside;
read it through the link (the link itself is in a readable tree).

{
  "policy": {"version": 1},
  "args": ["leak.txt"],
  "setup": {"files": {"OUTSIDE/secret.txt": "SECRET-TOKEN"},
            "symlinks": {"CWD/leak.txt": "OUTSIDE/secret.txt"}},
  "oracle": {"stdout_lacks": "SECRET-TOKEN"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.read"}]}
}
"""
import sys

try:
    print(open(sys.argv[1]).read())
except OSError as e:
    print("refused:", e)
