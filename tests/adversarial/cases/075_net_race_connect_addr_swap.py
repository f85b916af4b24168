"""Race the supervisor's address check for connect(): only 192.0.2.1:PORT
is allowed (Landlock checks the port, not the host), and a thread keeps
rewriting the sockaddr between 192.0.2.1 and 127.0.0.1 (where the runner
listens on PORT) while libc connect() runs. The supervisor reads the
address, lets an allowed one continue, and the kernel reads it again.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["192.0.2.1:PORT"]}},
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
addr = ctypes.addressof(buf)
memmove = ctypes.memmove
libc = ctypes.CDLL(None, use_errno=True)
stop = False


def flipper():
    while not stop:
        memmove(addr, target, 16)
        memmove(addr, allowed, 16)


threading.Thread(target=flipper, daemon=True).start()
deadline = time.monotonic() + 1.5
won = False
while time.monotonic() < deadline and not won:
    fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK, 0)
    libc.connect(fd, buf, 16)
    time.sleep(0.002)
    peer = ctypes.create_string_buffer(16)
    plen = ctypes.c_uint32(16)
    if libc.getpeername(fd, peer, ctypes.byref(plen)) == 0 and peer.raw[4:8] == socket.inet_aton("127.0.0.1"):
        os.write(fd, b"hello from the sandbox")
        won = True
    libc.close(fd)
stop = True
print("ESCAPED: connected to 127.0.0.1" if won else "lost every race")
