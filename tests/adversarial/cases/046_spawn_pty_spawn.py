"""Start a program on a pseudo-terminal with pty.spawn.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "process.spawn", "action": "deny"}]}
}
"""
import pty

try:
    pty.spawn(["/bin/touch", "out/spawned"])
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
