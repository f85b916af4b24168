#!/usr/bin/python3
"""bench/cgroup_join.py [ROUNDS]: what joining a cgroup v1 group costs
after 0.2 s of quiet, the two ways the kernel offers (docs/performance.md):
a fresh process writing "0" to the group's "tasks" (moves itself, no
threadgroup lock: sandboxpy's way since issue 20) and writing its pid to
"cgroup.procs" (takes cgroup_threadgroup_rwsem for writing: an RCU grace
period when the lock was idle). Root, on a machine with the v1 memory
hierarchy; prints medians and extremes in ms as JSON."""
import json, os, statistics, sys, time

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 12
own = next(l.split(":", 2)[2].strip() for l in open("/proc/self/cgroup")
           if l.split(":")[1].split(",").count("memory"))
group = f"/sys/fs/cgroup/memory{own.rstrip('/')}/sbx-bench-join-{os.getpid()}"
os.mkdir(group)
res = {}
try:
    for how, name, val in (("self", "tasks", lambda: b"0"), ("pid", "cgroup.procs", lambda: str(os.getpid()).encode())):
        times = []
        for _ in range(rounds):
            time.sleep(0.2)
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                t = time.perf_counter()
                fd = os.open(f"{group}/{name}", os.O_WRONLY)
                os.write(fd, val())
                os.close(fd)
                os.write(w, f"{(time.perf_counter() - t) * 1e3}".encode())
                os._exit(0)
            os.close(w)
            times.append(float(os.read(r, 64)))
            os.close(r)
            os.waitpid(pid, 0)
        res[how] = {"median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3),
                    "max_ms": round(max(times), 3)}
finally:
    os.rmdir(group)
print(json.dumps({"rounds": rounds, "quiet_s": 0.2, **res}))
