"""Open 1000 descriptors under open_files 32 (descriptor exhaustion).

Contained by RLIMIT_NOFILE: confinement.md's limits table says the program
sees EMFILE; no layer records a resource limit the program merely runs
into.

{
  "policy": {"version": 1, "limits": {"open_files": 32}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "confinement.md: open_files is RLIMIT_NOFILE, the program sees EMFILE; nothing is recorded"}
}
"""
import os

fds = []
try:
    for _ in range(1000):
        fds.append(os.open("/dev/null", os.O_RDONLY))
    print("ESCAPED: 1000 descriptors")
except OSError as e:
    print("stopped at", len(fds), e)
