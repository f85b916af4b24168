"""A syscall-heavy Python workload: small reads and writes, stat, time.
Used by make bench under plain python3.11 and under the seccomp filter."""
import os
import time

N = 40000
fd = os.open("/dev/zero", os.O_RDONLY)
null = os.open("/dev/null", os.O_WRONLY)
here = os.path.dirname(os.path.abspath(__file__))
for i in range(N):
    os.read(fd, 16)
    os.write(null, b"x" * 16)
    os.stat(here)
    time.time()
    os.lseek(null, 0, os.SEEK_SET)
os.close(fd)
os.close(null)
