"""Write a well-formed record claiming a kill, with a detail and a place of
the program's choosing, into descriptor 3 from pure Python; then create a
file outside with open(). The claim must not become the report's verdict:
no killed_by with the program's text, the packet counted as junk, the run
marked as tampered, and the real refusal recorded.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"}],
             "no_events": [{"detail_contains": "FORGED"}, {"action": "kill"}],
             "summary": {"killed_by": null, "channel_junk": 1, "channel_tampered": true}}
}
"""
import os
import struct
import sys

FS_WRITE, KILL = 2, 3
HEADER = struct.Struct("=HHIIIIiIIIHHHH16s")
event, where, detail, args = b"open", b"grader.py:1", b"FORGED: killed for reading the answers", b"[]"
rec = (HEADER.pack(2, 1, os.getpid(), FS_WRITE, KILL, 0, 0, 0, 1, os.getpid(),
                   len(event), len(where), len(detail), len(args), bytes(16))
       + event.ljust(128, b"\0") + where.ljust(256, b"\0") + detail.ljust(256, b"\0")
       + args.ljust(3396, b"\0"))
assert len(rec) == 4096
try:
    print("forged kill record:", os.write(3, rec), "bytes", flush=True)
except OSError as e:
    print("write to fd 3:", e, flush=True)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
