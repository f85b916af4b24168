"""Memory balloon outside the heap: fill a memfd (tmpfs pages, no address
space used, so RLIMIT_AS never sees it) with 100 MB under memory_mb 32.
memfds exist only under policies that allow native code (ctypes here).
Started unprivileged there is no memory cgroup to hold the pages, and the
filter refuses memfd_create instead.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "limits": {"memory_mb": 32, "file_size_mb": null}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "memory", "message_contains": "memory"},
  "expect_unprivileged": {"events": [{"layer": "seccomp", "syscall": "memfd_create",
                                      "action": "deny"}]}
}
"""
import os

fd = os.memfd_create("balloon")
chunk = b"M" * (1 << 20)
for _ in range(100):
    os.write(fd, chunk)
print("ESCAPED: 100 MB held in a memfd", flush=True)
