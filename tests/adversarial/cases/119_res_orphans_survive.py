"""Leave children behind: fork 5 children that sleep for a minute, and exit
at once (they are reparented; nothing waits for them).

{
  "policy": {"version": 1, "process": {"spawn": true}},
  "args": ["TOKEN"],
  "oracle": {"no_leftover": true},
  "expect": {"status": "ok", "exit_code": 0, "summary": {"denied": 0}}
}
"""
import os
import time

for _ in range(5):
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
print("parent exits")
