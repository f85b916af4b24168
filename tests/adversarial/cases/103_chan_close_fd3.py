"""Close the hook's channel (descriptor 3), then try to create a file
outside with open(). The hook still refuses it; the report must still show
the denial (or the sandbox must refuse to go on unobserved).

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"}]}
}
"""
import os
import sys

try:
    os.close(3)
except OSError as e:
    print("close(3):", e)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
