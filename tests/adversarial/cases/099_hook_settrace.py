"""Install a trace function with sys.settrace (it sees and can rewrite
every frame's locals, the sandbox's own Python frames included).

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "sys.settrace", "rule": "code.tracing", "action": "deny"}]}
}
"""
import sys

seen = []


def tracer(frame, event, arg):
    seen.append(event)
    return tracer


def g():
    return 1


try:
    sys.settrace(tracer)
    g()
    sys.settrace(None)
except (RuntimeError, OSError) as e:
    print("refused:", e)
if seen:
    print("ESCAPED: traced", seen[:3])
