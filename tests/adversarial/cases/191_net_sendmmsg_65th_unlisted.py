"""sendmmsg() with 1024 messages: the first 64 go to a listed address, the
65th to the runner's UDP socket, which no rule names. A supervisor that
checks only the first 64 messages lets the 65th through.

{
  "policy": {"version": 1, "native": {"ctypes": true}, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}},
  "args": ["ALLOWPORT", "UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "sendmmsg", "rule": "network.connect", "action": "deny", "bypass": true}]}
}
"""
import ctypes
import socket
import struct
import sys

allow, port = int(sys.argv[1]), int(sys.argv[2])


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_void_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


class mmsghdr(ctypes.Structure):
    _fields_ = [("hdr", msghdr), ("len", ctypes.c_uint)]


def sockaddr(p):
    return ctypes.create_string_buffer(struct.pack("=H", socket.AF_INET) + struct.pack("!H", p)
                                       + socket.inet_aton("127.0.0.1") + bytes(8), 16)


ok_name, bad_name = sockaddr(allow), sockaddr(port)
data = ctypes.create_string_buffer(b"hello from the sandbox")
iov = iovec(ctypes.addressof(data), 22)
N = 1024
vec = (mmsghdr * N)()
for i in range(N):
    name = bad_name if i == 64 else ok_name
    vec[i].hdr = msghdr(ctypes.addressof(name), 16, ctypes.pointer(iov), 1, None, 0, 0)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_DGRAM, 0)
done = 0
while done < N:
    n = libc.sendmmsg(fd, ctypes.byref(vec, done * ctypes.sizeof(mmsghdr)), N - done, 0)
    if n <= 0:
        print("stopped at", done, "errno", ctypes.get_errno())
        break
    done += n
print("sent", done)
