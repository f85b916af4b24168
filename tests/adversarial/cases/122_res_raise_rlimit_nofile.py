"""Raise our own descriptor limit back up (setrlimit to the hard limit,
then to unlimited), then open 1000 descriptors under open_files 32.

Contained without a record: the hard limit is 32 too, and raising a hard
limit needs a capability the program does not have (EPERM from the
kernel); confinement.md: open_files is RLIMIT_NOFILE, the program sees
EMFILE.

{
  "policy": {"version": 1, "limits": {"open_files": 32}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "confinement.md: open_files is RLIMIT_NOFILE (soft and hard), the program sees EMFILE; nothing is recorded"}
}
"""
import os
import resource

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
for want in ((hard, hard), (4096, 4096), (resource.RLIM_INFINITY, resource.RLIM_INFINITY)):
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, want)
    except (ValueError, OSError) as e:
        print("setrlimit", want, e)
fds = []
try:
    for _ in range(1000):
        fds.append(os.open("/dev/null", os.O_RDONLY))
    print("ESCAPED: 1000 descriptors")
except OSError as e:
    print("stopped at", len(fds), e)
