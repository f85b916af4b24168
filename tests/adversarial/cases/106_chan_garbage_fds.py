"""Write garbage to every inherited descriptor from 3 up (the channel to
the supervisor among them): exactly 50 datagrams of random bytes on
descriptor 3 (random sizes, some of the record size), then a real denial
through the hook and one through the kernel. Garbage must be counted
exactly, and real records must still get through.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x", "OUTSIDE/y"],
  "oracle": {"absent": ["OUTSIDE/x", "OUTSIDE/y"]},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"},
                        {"layer": "landlock", "rule": "filesystem.write", "bypass": true, "detail_contains": "outside/y"}],
             "summary": {"channel_junk": 50, "events_dropped": 0, "denied": 2, "bypass": 1}}
}
"""
import ctypes
import os
import random
import sys

rng = random.Random(1234)
sent = 0
for i in range(50):
    size = 4096 if i % 5 == 0 else rng.randrange(1, 8000)
    data = bytes(rng.randrange(256) for _ in range(size))
    if i % 5 == 0:
        data = b"\x02\x00" + data[2:]            # a record-sized datagram with a wrong version
    try:
        os.write(3, data)
        sent += 1
    except OSError as e:
        print("fd 3:", e)
for fd in range(4, 256):
    try:
        os.write(fd, b"\xff" * 64)
    except OSError:
        pass
print("garbage datagrams on fd 3:", sent, flush=True)
try:
    open(sys.argv[1], "w")
except OSError as e:
    print("refused:", e)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[2].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
