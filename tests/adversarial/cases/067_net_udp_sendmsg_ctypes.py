"""UDP datagram to an unlisted port with libc sendmsg() and msg_name,
through ctypes: neither the audit hook (no Python call) nor Landlock (TCP
only) sees the destination; only a kernel-side check of sendmsg can.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}, "native": {"ctypes": true}},
  "args": ["UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"syscall": "sendmsg", "rule": "network.connect", "action": "deny", "bypass": true}]}
}
"""
import ctypes
import os
import socket
import struct
import sys


class iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_char_p), ("len", ctypes.c_size_t)]


class msghdr(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("namelen", ctypes.c_uint32),
                ("iov", ctypes.POINTER(iovec)), ("iovlen", ctypes.c_size_t),
                ("control", ctypes.c_void_p), ("controllen", ctypes.c_size_t),
                ("flags", ctypes.c_int)]


libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_DGRAM, 0)
addr = struct.pack("=H", socket.AF_INET) + struct.pack("!H", int(sys.argv[1])) \
    + socket.inet_aton("127.0.0.1") + bytes(8)
iov = iovec(b"exfiltrated", 11)
msg = msghdr(addr, len(addr), ctypes.pointer(iov), 1, None, 0, 0)
r = libc.sendmsg(fd, ctypes.byref(msg), 0)
print("ESCAPED" if r >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
