"""sendmsg() on a socketpair with a 128-byte AF_UNIX msg_name, under a
policy with no network rules at all: the supervisor reads every sendmsg's
msg_name, and one that copies it into a 109-byte buffer aborts. The
program then tries the runner's listener, which proves it real
unconfined.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["SOCK"],
  "oracle": {"no_connection": true, "alive": "SUPERVISOR"},
  "expect": {"status": "ok",
             "events": [{"syscall": "sendmsg", "action": "deny", "detail_contains": "longer than sockaddr_un"}]}
}
"""
import ctypes
import socket
import struct
import sys


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


a, b = socket.socketpair()
name = ctypes.create_string_buffer(struct.pack("=H", socket.AF_UNIX) + b"/" + b"B" * 125, 128)
data = ctypes.create_string_buffer(b"x")
iov = iovec(ctypes.addressof(data), 1)
msg = msghdr(ctypes.addressof(name), 128, ctypes.pointer(iov), 1, None, 0, 0)
libc = ctypes.CDLL(None, use_errno=True)
print("long msg_name:", libc.sendmsg(a.fileno(), ctypes.byref(msg), 0), ctypes.get_errno())
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
    s.sendall(b"hello from the sandbox")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
