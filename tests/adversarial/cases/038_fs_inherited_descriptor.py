"""Write through a descriptor the program inherited from whoever started
sandboxpy (descriptor 50, the victim outside opened read-write): the path
rules mean nothing if an open descriptor crosses into the sandbox.

Contained by the child's set-up (running.md: "keep only stdio and the
channel (close_range)"), before the program exists: the descriptor is
simply not there (EBADF), so there is nothing to record.

{
  "policy": {"version": 1},
  "setup": {"files": {"OUTSIDE/victim.txt": "original\n"}, "inherit": {"50": "OUTSIDE/victim.txt"}},
  "oracle": {"unchanged": "OUTSIDE/victim.txt"},
  "expect": {"status": "ok", "recorded": false,
             "why": "running.md: the child keeps only stdio and the channel (close_range) before the program runs"}
}
"""
import os

try:
    os.write(50, b"pwned through an inherited descriptor\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
