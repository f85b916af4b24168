"""Under on_violation "kill", a violation the hook never sees: a native
write outside with libc. The kernel-side denial must end the sandbox too
(seccomp.md: "a rule denial ends the sandbox"), before the program's next
step.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]}, "on_violation": "kill"},
  "args": ["OUTSIDE/x"],
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": ["OUTSIDE/x", "CWD/out/after"]},
  "expect": {"status": "violation", "exit_code": null,
             "summary": {"killed_by": {"rule": "filesystem.write", "layer": "landlock"}, "bypass": 1},
             "events": [{"rule": "filesystem.write", "bypass": true, "action": "kill"}]}
}
"""
import ctypes
import os
import sys
import time

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("open:", fd, os.strerror(ctypes.get_errno()), flush=True)
time.sleep(0.5)
open("out/after", "w").close()
