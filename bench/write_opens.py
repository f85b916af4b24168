"""Cost of opening a file for writing: 2000 opens in the working directory.
Run under python3.11 and under sandboxpy with filesystem.write ["."]."""
import os, time
t = time.perf_counter()
for i in range(2000):
    with open("w.txt", "w") as f:
        f.write("x")
print("per open-for-write us", round((time.perf_counter() - t) / 2000 * 1e6, 1))
