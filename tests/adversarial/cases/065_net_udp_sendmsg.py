"""UDP datagram to an unlisted port with socket.sendmsg and an address
(sendmsg destinations are the audit hook's alone).

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}},
  "args": ["UDPPORT"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "socket.sendmsg", "rule": "network.connect", "action": "deny"}]}
}
"""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendmsg([b"exfiltrated"], [], 0, ("127.0.0.1", int(sys.argv[1])))
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
