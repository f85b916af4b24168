"""A syscall-heavy Python workload: small reads and writes, stat, time.
Used by make bench under plain python3.11 and under the seccomp filter
(whole process, bench/seccomp.sh), and with --time under plain python3.11
and the whole sandbox (its own best of 5 loops, printed as JSON)."""
import json
import os
import sys
import time

N = 40000
# Read-only opens and a pipe: a write-open would be the supervisor's to
# check (a round trip, bench/write_opens.py), not the filter's.
fd = os.open("/dev/zero", os.O_RDONLY)
rd, wr = os.pipe()
here = os.path.dirname(os.path.abspath(__file__))


def loop():
    for i in range(N):
        os.read(fd, 16)
        os.write(wr, b"x" * 16)
        os.read(rd, 16)
        os.stat(here)
        time.time()
        os.lseek(fd, 0, os.SEEK_SET)


if "--time" in sys.argv:
    best = None
    for _ in range(5):
        t = time.perf_counter()
        loop()
        d = time.perf_counter() - t
        best = d if best is None or d < best else best
    json.dump({"syscall_workload": best}, sys.stdout)
    print()
else:
    loop()
os.close(fd)
os.close(rd)
os.close(wr)
