"""UNIX connect() by a relative path from pure Python while another thread
flips the working directory between the sandbox's own directory (where
listener.sock is a plain file the program may write) and OUTSIDE, where
the runner listens on listener.sock (the policy lets it read there). A supervisor that
resolves the path against one working directory and lets the call
continue has the kernel resolve it against the other.

{
  "policy": {"version": 1, "network": {"connect": ["127.0.0.1:ALLOWPORT"]}, "filesystem": {"write": ["CWD"], "read": ["OUTSIDE"]}},
  "args": ["CWD", "OUTSIDE"],
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
with open(os.path.join(cwd, "listener.sock"), "w"):
    pass
stop = False


def flipper():
    while not stop:
        try:
            os.chdir(outside)
            os.chdir(cwd)
        except OSError:
            pass


threading.Thread(target=flipper, daemon=True).start()
deadline = time.monotonic() + 1.5
won = 0
while time.monotonic() < deadline:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect("listener.sock")
        s.sendall(b"hello from the sandbox")
        won += 1
    except OSError:
        pass
    s.close()
stop = True
print("connected", won)
