"""See the host's processes and their owners through /proc (stat needs no
read right): a root process of the runner's is there to be found.

{
  "policy": {"version": 1, "filesystem": {"read": ["/proc"]}},
  "args": ["VICTIM"],
  "setup": {"victim": "root"},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "recorded": false,
             "why": "/proc is the run's PID namespace's own procfs (docs/confinement.md): host processes do not exist there, nothing is refused"}
}
"""
import os
import sys

victim = sys.argv[1]
seen = [p for p in os.listdir("/proc") if p.isdigit()]
try:
    st = os.stat("/proc/" + victim)
    print("ESCAPED: host pid %s owned by uid %d visible; %d pids listed" % (victim, st.st_uid, len(seen)))
except OSError as e:
    print("not visible:", e, len(seen), "pids listed")
