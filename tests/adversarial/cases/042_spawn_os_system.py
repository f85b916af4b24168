"""Run a shell command with os.system.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.system", "rule": "process.spawn", "action": "deny"}]}
}
"""
import os

try:
    print("status", os.system("touch out/spawned"))
except OSError as e:
    print("refused:", e)
