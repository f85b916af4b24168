"""Name resolution with network.dns false: resolve "localhost" (answered
from /etc/hosts, so it works on a host without network) and print the
answer; DNS is an exfiltration channel.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "network.dns", "action": "deny"}]}
}
"""
import socket

try:
    infos = socket.getaddrinfo("localhost", 80, socket.AF_INET)
    print("ESCAPED", infos[0][4])
except OSError as e:
    print("refused:", e)
