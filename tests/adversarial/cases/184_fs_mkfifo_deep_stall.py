"""Stall the supervisor: from a 500-deep working directory, ask for
mkfifo of a path with 1500 missing components, again and again. Each
notification once cost the supervisor seconds of its own CPU, during
which it enforced nothing, wall limit included.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "filesystem": {"write": ["./out"]},
             "limits": {"wall_seconds": 3}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"max_seconds": 9},
  "expect": {"status": "timeout"}
}
"""
import ctypes
import os
import time

libc = ctypes.CDLL(None, use_errno=True)
os.chdir("out")
for _ in range(500):
    os.mkdir("d")
    os.chdir("d")
path = ("m/" * 1500 + "fifo").encode()
t = time.monotonic()
for _ in range(200):
    libc.mkfifo(path, 0o600)
print("200 calls in %.3f s" % (time.monotonic() - t), flush=True)
while True:
    time.sleep(1)
