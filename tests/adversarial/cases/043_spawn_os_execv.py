"""Replace the interpreter with /bin/touch through os.execv (a program
replaced in place is still a new program).

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.exec", "rule": "process.spawn", "action": "deny"}]}
}
"""
import os

try:
    os.execv("/bin/touch", ["touch", "out/spawned"])
except OSError as e:
    print("refused:", e)
