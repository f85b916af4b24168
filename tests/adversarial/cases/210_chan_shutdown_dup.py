"""Shut the channel down through a dup of descriptor 3 (the filter refuses
shutdown(3) by number only), then create a file outside with open(). The
hook cannot deliver its record any more: it must end the program, and the
report must say the channel was lost (tampering), never ok.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "violation",
             "summary": {"killed_by": {"rule": "channel", "layer": "supervisor"},
                         "channel_tampered": true}}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
try:
    d = os.dup(3)
    r = libc.shutdown(d, 1)          # SHUT_WR
    print("shutdown(dup(3), SHUT_WR):", r, os.strerror(ctypes.get_errno()) if r else "", flush=True)
except OSError as e:
    print("dup(3):", e, flush=True)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
