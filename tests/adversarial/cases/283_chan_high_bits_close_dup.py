"""Reach the hook's channel (descriptor 3) with the upper 32 bits of the
descriptor argument set: close, dup2, dup3, shutdown, close_range and
fcntl(F_DUPFD) by raw syscall number. The kernel truncates these int
arguments, so 3 | 2**32 is descriptor 3; a filter comparing all 64 bits
would let them through. Then create a file outside with open(): the
refusal must still be recorded, with no gap, junk or tampering.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"}],
             "summary": {"channel_gaps": 0, "channel_junk": 0, "channel_tampered": false}}
}
"""
import ctypes
import os
import sys

HI = 1 << 32
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long] * 5


def raw(what, nr, *args):
    args = list(args) + [0] * (4 - len(args))
    r = libc.syscall(nr, *args)
    print(what, "->", r, os.strerror(ctypes.get_errno()) if r < 0 else "", flush=True)
    return r


# The kernel truncates: close(fd | 2**32) closes fd (here and unconfined).
scratch = os.open("/dev/null", os.O_RDONLY)
raw("close(scratch | 2**32)", 3, scratch | HI)
try:
    os.fstat(scratch)
    print("scratch still open: no truncation", flush=True)
except OSError:
    print("scratch closed: the kernel truncated the descriptor", flush=True)

null = os.open("/dev/null", os.O_RDWR)
raw("close(3 | 2**32)", 3, 3 | HI)
raw("close(3 | 0xffffffff00000000)", 3, 3 | 0xffffffff00000000 - (1 << 64))
raw("dup2(null, 3 | 2**32)", 33, null, 3 | HI)
raw("dup3(null, 3 | 2**32, 0)", 292, null, 3 | HI, 0)
raw("shutdown(3 | 2**32, SHUT_RDWR)", 48, 3 | HI, 2)
raw("close_range(3 | 2**32, 3 | 2**32, 0)", 436, 3 | HI, 3 | HI, 0)
raw("close_range(3, 3 | 2**32, 0)", 436, 3, 3 | HI, 0)
raw("close_range(3, 2 | 2**32, 0)", 436, 3, 2 | HI, 0)
raw("fcntl(null, F_DUPFD, 3 | 2**32)", 72, null, 0, 3 | HI)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
