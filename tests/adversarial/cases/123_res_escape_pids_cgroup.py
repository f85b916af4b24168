"""Move ourselves out of the run's pids cgroup into the root one (writing
our pid to /sys/fs/cgroup/pids/cgroup.procs through libc), where the
`tasks` limit no longer applies. Unconfined, the runner already is in the
root pids cgroup, so the write is a harmless no-op move.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true, "detail_contains": "cgroup.procs"}]}
}
"""
import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(b"/sys/fs/cgroup/pids/cgroup.procs", os.O_WRONLY)
if fd < 0:
    print("refused:", os.strerror(ctypes.get_errno()))
else:
    pid = str(os.getpid()).encode()
    n = libc.write(fd, pid, len(pid))
    print("ESCAPED: moved to the root pids cgroup" if n == len(pid)
          else "write refused: " + os.strerror(ctypes.get_errno()))
