"""Paired A/B of two sandboxpy binaries (say, before and after a change),
alternating in one invocation, medians: start-up (-c pass), the
event-heavy workload (bench/event_workload.py), and 2000 refused writes
timed inside the program. Usage: ab_binaries.py OLD NEW [ROUNDS]"""
import json, os, statistics, subprocess, sys, tempfile, time
old, new = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 30
d = tempfile.mkdtemp(prefix="ab-")
for i in range(200):
    open(f"{d}/data_{i}.txt", "w").write("x" * 100)
for i in range(20):
    open(f"{d}/evmod_{i}.py", "w").write(f"VALUE = {i}\n")
wl = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "event_workload.py")).read()
open(f"{d}/wl.py", "w").write(wl)
open(f"{d}/deny.py", "w").write(
    "import time\nt=time.perf_counter()\n"
    "for i in range(2000):\n"
    "    try: open('/etc/hostname-%d' % i, 'w')\n"
    "    except PermissionError: pass\n"
    "print(time.perf_counter()-t)\n")
pol = f"{d}/p.json"
json.dump({"version": 1}, open(pol, "w"))
res = {k: {"old": [], "new": []} for k in ("startup", "events", "denials")}
def run(b, *a):
    t = time.perf_counter()
    p = subprocess.run([b, "-q", "-p", pol, *a], cwd=d, capture_output=True, text=True)
    return time.perf_counter() - t, p
for r in range(rounds):
    for name, b in (("old", old), ("new", new)) if r % 2 == 0 else (("new", new), ("old", old)):
        t, _ = run(b, "-c", "pass"); res["startup"][name].append(t)
        _, p = run(b, "wl.py"); res["events"][name].append(json.loads(p.stdout)["event_workload"])
        _, p = run(b, "deny.py"); res["denials"][name].append(float(p.stdout.strip().splitlines()[-1]))
for k, v in res.items():
    mo, mn = statistics.median(v["old"]), statistics.median(v["new"])
    print(f"{k:9s} old {mo*1000:8.2f} ms  new {mn*1000:8.2f} ms  ratio {mn/mo:.3f}")
