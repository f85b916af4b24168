"""Create 200 zombies (children that exit and are never reaped) under
tasks 16: zombies still hold a pid, and pid exhaustion hurts the host.

Contained by the pids cgroup: confinement.md's limits table says forks
fail with EAGAIN past `tasks`; running into a limit is not recorded.

{
  "policy": {"version": 1, "process": {"spawn": true}, "limits": {"tasks": 16}},
  "args": ["TOKEN"],
  "oracle": {"stdout_lacks": "ESCAPED", "no_leftover": true},
  "expect": {"status": "ok", "recorded": false,
             "why": "confinement.md: tasks is the run's pids.max, forks fail with EAGAIN; nothing is recorded"}
}
"""
import os

made = 0
for _ in range(200):
    try:
        if os.fork() == 0:
            os._exit(0)
        made += 1
    except OSError as e:
        print("fork failed after", made, e)
        break
if made >= 200:
    print("ESCAPED: 200 zombies")
