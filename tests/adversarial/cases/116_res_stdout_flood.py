"""Flood standard output (a regular file the runner reads) with 24 MB under
file_size_mb 2: the limit covers redirected standard output too.

{
  "policy": {"version": 1, "limits": {"file_size_mb": 2}},
  "oracle": {"max_stdout_bytes": 2097152},
  "expect": {"status": "output"}
}
"""
import os

chunk = b"A" * (1 << 20)
for _ in range(24):
    try:
        os.write(1, chunk)
    except OSError:
        pass
