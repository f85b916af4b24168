"""sendmmsg() of one message whose msg_name a thread flips between a listed
address (192.0.2.1) and the runner's UDP socket on 127.0.0.1.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["192.0.2.1:UDPPORT"]}},
  "args": ["UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "sendmmsg", "rule": "network.connect", "action": "deny"}]}
}
"""
import ctypes
import socket
import struct
import sys
import threading
import time

port = int(sys.argv[1])


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]


def sockaddr(ip):
    return struct.pack("=H", socket.AF_INET) + struct.pack("!H", port) + socket.inet_aton(ip) + bytes(8)


allowed, target = sockaddr("192.0.2.1"), sockaddr("127.0.0.1")
name = ctypes.create_string_buffer(allowed, 16)
data = ctypes.create_string_buffer(b"hello from the sandbox")
iov = iovec(ctypes.addressof(data), 22)
vec = (mmsghdr * 1)()
vec[0].hdr = msghdr(ctypes.addressof(name), 16, ctypes.pointer(iov), 1, None, 0, 0)
libc = ctypes.CDLL(None, use_errno=True)
stop = False


def flipper():
    while not stop:
        ctypes.memmove(name, target, 16)
        ctypes.memmove(name, allowed, 16)


threading.Thread(target=flipper, daemon=True).start()
fd = libc.socket(socket.AF_INET, socket.SOCK_DGRAM, 0)
deadline = time.monotonic() + 1.5
sent = 0
while time.monotonic() < deadline:
    if libc.sendmmsg(fd, vec, 1, 0) > 0:
        sent += 1
stop = True
print("sent", sent)
