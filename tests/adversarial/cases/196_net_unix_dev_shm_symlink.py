"""Inside the sandbox, /dev/shm/NAME is a symlink to the runner's listener
in OUTSIDE. The sandbox's /dev/shm is its own: a supervisor that checks
the path in its own mount namespace (the host's /dev/shm) judges another
file than the one the kernel connects to.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["127.0.0.1:ALLOWPORT"]},
             "filesystem": {"write": ["CWD", "/dev/shm"]}, "process": {"spawn": true}},
  "args": ["SOCK", "TOKEN"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "connect", "rule": "network.connect", "action": "deny", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import struct
import sys

link = "/dev/shm/sbx-%s" % sys.argv[2]
try:
    os.unlink(link)
except OSError:
    pass
os.symlink(sys.argv[1], link)
libc = ctypes.CDLL(None, use_errno=True)


def connect(path):
    """libc connect(), below the audit hook: the supervisor alone judges it."""
    addr = struct.pack("=H", socket.AF_UNIX) + path.encode()
    if libc.connect(s.fileno(), addr, len(addr)) < 0:
        raise OSError(ctypes.get_errno(), "connect")


s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    connect(link)
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
finally:
    os.unlink(link)
