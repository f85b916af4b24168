"""Open /proc/self/mem for writing to patch the interpreter's own memory
(the road to unhooking the audit hook). Proof of power: rewrite the bytes
of an immutable bytes object in place, then print it.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "/proc/self/mem"}]}
}
"""
import sys

victim = b"xxxxxxxxxxxxxxxxSAFE"
addr = id(victim) + sys.getsizeof(b"") - 1      # ob_sval of a bytes object
try:
    with open("/proc/self/mem", "r+b", buffering=0) as mem:
        mem.seek(addr + 16)
        mem.write(b"PWND")
    print("ESCAPED" if victim.endswith(b"PWND") else "write had no effect")
except OSError as e:
    print("refused:", e)
