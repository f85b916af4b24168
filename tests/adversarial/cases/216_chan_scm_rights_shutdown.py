"""Get a copy of descriptor 3 without naming it in the call that harms it:
pass it to itself over a socketpair with SCM_RIGHTS, then shut the received
copy down, from pure Python; then create a file outside with open(). The
run must end as tampered (the channel lost), never ok, and nothing escapes.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "violation",
             "summary": {"killed_by": {"rule": "channel", "layer": "supervisor"},
                         "channel_tampered": true}}
}
"""
import socket
import sys

try:
    a, b = socket.socketpair()
    socket.send_fds(a, [b"x"], [3])
    _, fds, _, _ = socket.recv_fds(b, 1, 1)
    s = socket.socket(fileno=fds[0])
    s.shutdown(socket.SHUT_RDWR)
    print("shut down a copy of descriptor 3:", fds[0], flush=True)
except OSError as e:
    print("copy of 3:", e, flush=True)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
