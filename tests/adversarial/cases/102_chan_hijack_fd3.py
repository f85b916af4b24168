"""Hijack the hook's channel: dup2 a socketpair of our own over descriptor
3, so the audit hook's records go to us instead of the supervisor, then
try to create a file outside with open(). The hook still refuses it; the
report must still show the denial (or the sandbox must refuse to go on
unobserved).

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"}]}
}
"""
import os
import socket
import sys

mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    os.dup2(theirs.fileno(), 3)
except OSError as e:
    print("dup2 refused:", e)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
mine.setblocking(False)
try:
    print("swallowed a record of", len(mine.recv(8192)), "bytes")
except OSError:
    pass
