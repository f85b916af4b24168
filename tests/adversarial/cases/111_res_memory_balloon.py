"""Memory balloon: allocate and touch 8 MB blocks up to 256 MB under a
64 MB memory limit; print ESCAPED if all of it was obtained.

{
  "policy": {"version": 1, "limits": {"memory_mb": 64}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "memory", "message_contains": "memory"},
  "unprivileged": "skip: without a memory cgroup the limit is RLIMIT_AS, and the program meets it as its own MemoryError (docs/confinement.md): contained, but the status is the program's"
}
"""
blocks = []
for i in range(32):
    b = bytearray(8 << 20)
    for j in range(0, len(b), 4096):
        b[j] = 1
    blocks.append(b)
print("ESCAPED: 256 MB held", flush=True)
