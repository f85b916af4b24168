"""Race the supervisor's reading of sendmsg's msg_name: only
192.0.2.1:UDPPORT is listed, and a thread keeps rewriting the sockaddr that
msg_name points to between 192.0.2.1 and 127.0.0.1 (where the runner's UDP
socket listens) while libc sendmsg() runs. A supervisor that checks the
address and lets the call continue has the kernel read it again.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["192.0.2.1:UDPPORT"]}},
  "args": ["UDPPORT"],
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
memmove = ctypes.memmove
stop = False


def flipper():
    while not stop:
        memmove(name, target, 16)
        memmove(name, allowed, 16)


threading.Thread(target=flipper, daemon=True).start()
fd = libc.socket(socket.AF_INET, socket.SOCK_DGRAM, 0)
deadline = time.monotonic() + 1.5
sent = 0
while time.monotonic() < deadline:
    if libc.sendmsg(fd, ctypes.byref(msg), 0) > 0:
        sent += 1
stop = True
print("sent", sent)
