"""Read a secret file outside with open() and print it.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/secret.txt"],
  "setup": {"files": {"OUTSIDE/secret.txt": "SECRET-TOKEN"}},
  "oracle": {"stdout_lacks": "SECRET-TOKEN"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.read", "action": "deny"}]}
}
"""
import sys

try:
    print(open(sys.argv[1]).read())
except OSError as e:
    print("refused:", e)
