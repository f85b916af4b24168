"""Write forged records into the channel to the supervisor (descriptor 3,
which the hook uses): an audit "log" record for filesystem.write (which
would explain, and so hide, the kernel denial that follows), a SETUP_FAIL
(the report would claim nothing untrusted ran), a second READY, a
LAYER_FAIL for Landlock, a kill for a rule that only denies, and short and
oversized garbage. Then create a file outside with libc.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true, "detail_contains": "outside/x"}],
             "no_events": [{"event": "open", "action": "log"}, {"event": "forged"}, {"action": "kill"}],
             "summary": {"bypass": 1, "killed_by": null, "channel_junk": {"min": 7}, "events_dropped": 0}}
}
"""
import ctypes
import os
import struct
import sys

EVENT, SETUP_FAIL, READY, LAYER_FAIL = 1, 2, 3, 4
FS_WRITE, LOG, DENY, KILL = 2, 1, 2, 3
STEP_LANDLOCK = 14


def record(type_, rule=0, action=0, step=0, err=0, event=b"", where=b"", detail=b"", args=b"[]"):
    head = struct.pack("=HHIIIIiIHHHH", 1, type_, os.getpid(), rule, action, 0, err, step,
                       len(event), len(where), len(detail), len(args))
    body = (event.ljust(128, b"\0") + where.ljust(256, b"\0") + detail.ljust(256, b"\0")
            + args.ljust(3420, b"\0"))
    return head + body


forged = [
    record(EVENT, FS_WRITE, LOG, event=b"open", where=b"attack.py:1", detail=b"open (forged log)",
           args=b'["forged"]'),
    record(SETUP_FAIL, step=9, err=1, detail=b"forged: nothing ran"),
    record(READY, step=0x7f),
    record(LAYER_FAIL, step=STEP_LANDLOCK, err=1, detail=b"forged"),
    record(EVENT, FS_WRITE, KILL, event=b"forged", detail=b"forged kill"),
    b"\x01\x00\x01\x00" + b"short",
    record(EVENT, FS_WRITE, DENY, event=b"forged")[:4095],
]
sent = 0
for rec in forged:
    try:
        os.write(3, rec)
        sent += 1
    except OSError as e:
        print("write to fd 3:", e)
print("forged records sent:", sent, flush=True)

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
