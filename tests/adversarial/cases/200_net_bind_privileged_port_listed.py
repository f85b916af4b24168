"""bind() of a port below 1024 that the policy lists. The sandbox's uid
(64981) may not bind it; a supervisor that performs the bind for the
program with its own root credentials lends it CAP_NET_BIND_SERVICE.

{
  "policy": {"version": 1, "network": {"bind": ["127.0.0.1:79"]}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "the policy allows the bind; the kernel refuses port 79 to the sandbox uid (EACCES) as it would outside any sandbox, which is no policy denial"}
}
"""
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", 79))
    s.listen()
    print("ESCAPED: bound", s.getsockname())
except OSError as e:
    print("refused:", e)
