"""os.fork: the child (a second process) writes the marker.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.fork", "rule": "process.spawn", "action": "deny"}]}
}
"""
import os

try:
    pid = os.fork()
except OSError as e:
    print("refused:", e)
else:
    if pid == 0:
        open("out/spawned", "w").close()
        os._exit(0)
    os.waitpid(pid, 0)
    print("ESCAPED")
