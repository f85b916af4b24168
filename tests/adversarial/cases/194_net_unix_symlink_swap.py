"""UNIX connect() to a symlink in the sandbox's directory that a thread
keeps swapping between a file of the program's (allowed) and the
runner's listener in OUTSIDE. A supervisor that resolves the link, then
lets the kernel resolve it again, connects wherever the link points then.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}, "filesystem": {"write": ["CWD"]}},
  "args": ["CWD", "SOCK"],
  "oracle": {"no_connection": true},
  "expect": {"status": "ok",
             "events": [{"action": "deny", "event_contains": "connect"}]}
}
"""
import os
import socket
import sys
import threading
import time

cwd, outside = sys.argv[1], sys.argv[2]
mine = os.path.join(cwd, "own.sock")
with open(mine, "w"):
    pass
link = os.path.join(cwd, "link")
os.symlink(mine, link)
stop = False


def swapper():
    n = 0
    while not stop:
        n += 1
        tmp = os.path.join(cwd, "tmp%d" % (n % 2))
        try:
            os.symlink(outside if n % 2 else mine, tmp)
            os.replace(tmp, link)
        except OSError:
            pass


threading.Thread(target=swapper, daemon=True).start()
deadline = time.monotonic() + 1.5
won = 0
while time.monotonic() < deadline:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(link)
        s.sendall(b"hello from the sandbox")
        won += 1
    except OSError:
        pass
    s.close()
stop = True
print("connected", won)
