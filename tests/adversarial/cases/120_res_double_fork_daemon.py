"""Classic daemon: double fork, setsid, ignore SIGHUP/SIGTERM/SIGINT, close
the standard streams, loop forever. It must not outlive the sandbox.

{
  "policy": {"version": 1, "process": {"spawn": true}},
  "args": ["TOKEN"],
  "oracle": {"no_leftover": true, "max_seconds": 10},
  "expect": {"status": "ok", "exit_code": 0, "summary": {"denied": 0}}
}
"""
import os
import signal
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        for fd in (0, 1, 2):
            os.close(fd)
        while True:
            time.sleep(0.2)
    os._exit(0)
time.sleep(0.2)
print("daemon started")
