#!/bin/sh
# bench/seccomp.sh BUILD: the seccomp filter's cost, as ratios measured in
# this run (docs/performance.md quotes them).
#  1. per syscall, in C: no filter / any filter / sandboxpy's filter;
#  2. a syscall-heavy Python workload: python3.11 plain vs the same under
#     sandboxpy's filter alone. The launcher that loads the filter costs a
#     few ms of its own (measured with /bin/true) and is subtracted.
set -eu
build=${1:-build}
py=/usr/bin/python3.11
launch="$build/bench/seccomp-overhead --exec builtin:default"
out="$build/bench/seccomp-workload.json"
"$build/bench/seccomp-overhead" builtin:default
"$build/bench/seccomp-overhead" builtin:plugin
hyperfine -N --warmup 3 --runs 30 --export-json "$out" \
	"/bin/true" "$launch /bin/true" \
	"$py -I bench/syscall_workload.py" "$launch $py -I bench/syscall_workload.py" >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
r = [x["mean"] for x in json.load(open(sys.argv[1]))["results"]]
true, launch_true, plain, filtered = r
net = filtered - (launch_true - true)
print(json.dumps({"workload": "bench/syscall_workload.py", "plain_ms": round(plain * 1e3, 2),
                  "filtered_ms": round(net * 1e3, 2), "launcher_ms": round((launch_true - true) * 1e3, 2),
                  "ratio": round(net / plain, 3)}))
PY
