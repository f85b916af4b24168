"""Write a well-formed "log" record of os.fork (process.spawn's event,
under a policy whose events rule logs it) into descriptor 3, then fork
through libc: the forged record must not explain the kernel's refusal,
which stays a bypass; the forged packet is counted as junk.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "process": {"spawn": false},
             "events": [{"event": "os.fork", "action": "log"}]},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "seccomp", "rule": "process.spawn", "bypass": true}],
             "no_events": [{"layer": "audit", "event": "os.fork"}],
             "summary": {"bypass": 1, "channel_junk": 1, "channel_tampered": true}}
}
"""
import ctypes
import os
import struct
import threading

EVENTS, LOG = 17, 1
HEADER = struct.Struct("=HHIIIIiIIIHHHH16s")
event, where, detail, args = b"os.fork", b"attack.py:1", b"os.fork", b"[]"
rec = (HEADER.pack(2, 1, os.getpid(), EVENTS, LOG, 0, 0, 0, 1, threading.get_native_id(),
                   len(event), len(where), len(detail), len(args), bytes(16))
       + event.ljust(128, b"\0") + where.ljust(256, b"\0") + detail.ljust(256, b"\0")
       + args.ljust(3396, b"\0"))
try:
    print("forged log record:", os.write(3, rec), "bytes", flush=True)
except OSError as e:
    print("write to fd 3:", e, flush=True)
libc = ctypes.CDLL(None, use_errno=True)
pid = libc.fork()
if pid == 0:
    print("ESCAPED: a child process runs", flush=True)
    os._exit(0)
if pid > 0:
    os.waitpid(pid, 0)
print("fork:", pid, os.strerror(ctypes.get_errno()) if pid < 0 else "", flush=True)
