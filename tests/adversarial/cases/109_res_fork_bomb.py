"""Fork bomb: every process forks forever (spawning allowed, tasks 32,
wall 3 s). The sandbox must end by itself at the wall-clock limit and leave
no process behind.

{
  "policy": {"version": 1, "process": {"spawn": true}, "limits": {"tasks": 32, "wall_seconds": 3}},
  "args": ["TOKEN"],
  "unconfined": "skip: a fork bomb as root is not run outside the sandbox",
  "oracle": {"max_seconds": 8, "no_leftover": true},
  "expect": {"status": "timeout", "exit_code": null, "message_contains": "wall"}
}
"""
import os

while True:
    try:
        os.fork()
    except OSError:
        pass
