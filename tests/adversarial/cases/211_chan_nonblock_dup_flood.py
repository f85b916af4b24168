"""Make the channel non-blocking through a dup of descriptor 3 (the flag
is on the open file, shared with the hook's descriptor), then flood it
with 500 refused opens and one more: the hook must wait rather than drop,
and every refusal must be in the report, the last one included.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x", "OUTSIDE/flood"],
  "oracle": {"absent": ["OUTSIDE/x", "OUTSIDE/flood.0", "OUTSIDE/flood.499"]},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"},
                        {"layer": "audit", "event": "open", "detail_contains": "outside/flood.499"}],
             "summary": {"denied": 501, "events_dropped": 0, "channel_gaps": 0, "channel_junk": 0,
                         "channel_tampered": false, "killed_by": null}}
}
"""
import os
import sys

try:
    d = os.dup(3)
    os.set_blocking(d, False)
    print("descriptor 3 is non-blocking:", not os.get_blocking(3), flush=True)
except OSError as e:
    print("dup(3):", e, flush=True)
for i in range(500):
    try:
        open(f"{sys.argv[2]}.{i}", "w").close()
    except OSError:
        pass
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
