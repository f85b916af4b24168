"""Start /bin/touch with os.posix_spawn.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "os.posix_spawn", "rule": "process.spawn", "action": "deny"}]}
}
"""
import os

try:
    pid = os.posix_spawn("/bin/touch", ["touch", "out/spawned"], {})
    os.waitpid(pid, 0)
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
