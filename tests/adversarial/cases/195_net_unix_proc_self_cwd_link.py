"""A relative UNIX socket path that is a symlink to /proc/self/cwd/../
OUTSIDE/listener.sock: the kernel resolves /proc/self in the caller, a
supervisor that resolves it in its own process judges another place.
libc connect() through ctypes, so that the supervisor alone judges it.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}, "filesystem": {"write": ["CWD"]}},
  "args": ["OUTSIDE"],
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

outside = os.path.basename(sys.argv[1].rstrip("/"))
os.symlink("/proc/self/cwd/../%s/listener.sock" % outside, "lnk")
libc = ctypes.CDLL(None, use_errno=True)


def connect(path):
    """libc connect(), below the audit hook: the supervisor alone judges it."""
    addr = struct.pack("=H", socket.AF_UNIX) + path.encode()
    if libc.connect(s.fileno(), addr, len(addr)) < 0:
        raise OSError(ctypes.get_errno(), "connect")


s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    connect("lnk")
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
