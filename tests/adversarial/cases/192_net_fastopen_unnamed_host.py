"""sendmsg(MSG_FASTOPEN) on fresh TCP sockets: the connection is made by
the send itself, which Landlock's connect hook never sees, and a port "*"
leaves Landlock nothing to check anyway. Only 192.0.2.1 is listed; a thread
flips msg_name between 192.0.2.1:PORT and 127.0.0.1:PORT (the runner's
listener), for blocking and non-blocking sockets.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["192.0.2.1:*"]}},
  "args": ["PORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "sendmsg", "rule": "network.connect", "action": "deny"}]}
}
"""
import ctypes
import socket
import struct
import sys
import threading
import time

port = int(sys.argv[1])
MSG_FASTOPEN = 0x20000000


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


def sockaddr(ip):
    return struct.pack("=H", socket.AF_INET) + struct.pack("!H", port) + socket.inet_aton(ip) + bytes(8)


allowed, target = sockaddr("192.0.2.1"), sockaddr("127.0.0.1")
name = ctypes.create_string_buffer(allowed, 16)
data = ctypes.create_string_buffer(b"hello from the sandbox")
iov = iovec(ctypes.addressof(data), 22)
msg = msghdr(ctypes.addressof(name), 16, ctypes.pointer(iov), 1, None, 0, 0)
libc = ctypes.CDLL(None, use_errno=True)
stop = False


def flipper():
    while not stop:
        ctypes.memmove(name, target, 16)
        ctypes.memmove(name, allowed, 16)


threading.Thread(target=flipper, daemon=True).start()
deadline = time.monotonic() + 2
tries = 0
while time.monotonic() < deadline:
    for kind in (socket.SOCK_STREAM, socket.SOCK_STREAM | socket.SOCK_NONBLOCK):
        fd = libc.socket(socket.AF_INET, kind, 0)
        # A blocking send to 192.0.2.1 would wait for its SYN: one second at most.
        tv = struct.pack("ll", 0, 200000)
        libc.setsockopt(fd, socket.SOL_SOCKET, socket.SO_SNDTIMEO, tv, len(tv))
        libc.sendmsg(fd, ctypes.byref(msg), MSG_FASTOPEN)
        libc.close(fd)
        tries += 1
stop = True
print("tries", tries)
