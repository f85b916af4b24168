"""The demo `make run` shows: ordinary Python works, the sandbox refuses
what the default policy does not allow, and says so."""
import json
import statistics

# Computation and the standard library: allowed.
data = [3, 1, 4, 1, 5, 9, 2, 6]
print("mean of", data, "is", statistics.mean(data))
print("as JSON:", json.dumps({"max": max(data)}))

# Reading the working directory: allowed.
with open("greeting.txt") as f:
    print("greeting.txt says:", f.read().strip())

# Writing outside the working directory: denied.
try:
    with open("/tmp/sandboxpy-demo-was-here", "w") as f:
        f.write("escaped\n")
    print("wrote outside the sandbox (this should not happen)")
except PermissionError as e:
    print("write refused:", e)

# Starting a shell: denied.
import subprocess
try:
    subprocess.run(["/bin/sh", "-c", "echo escaped"])
    print("started a shell (this should not happen)")
except PermissionError as e:
    print("shell refused:", e)
