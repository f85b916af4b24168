"""Walk the whole object graph with gc.get_objects (the way to find the
sandbox's objects, or any object's internals, without a reference).

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "gc.get_objects", "rule": "code.introspection", "action": "deny"}]}
}
"""
import gc

try:
    objs = gc.get_objects()
    print("ESCAPED: walked", len(objs), "objects")
except RuntimeError as e:
    print("refused:", e)
except OSError as e:
    print("refused:", e)
