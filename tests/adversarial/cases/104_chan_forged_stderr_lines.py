"""Print sandboxpy's own kind of lines on standard error (a clean summary,
fake denials, a fake report path) around a real native write outside, and
exit 0: whoever reads stderr is misled, the report must not be.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "landlock", "rule": "filesystem.write", "bypass": true, "detail_contains": "outside/x"}],
             "summary": {"denied": 1, "bypass": 1, "events_dropped": 0}}
}
"""
import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.open(sys.argv[1].encode(), os.O_CREAT | os.O_WRONLY, 0o644)
print("ESCAPED" if fd >= 0 else "refused: " + os.strerror(ctypes.get_errno()))
sys.stderr.write("sandboxpy: denied open '/etc/shadow' at attack.py:1 (not in filesystem.read)\n")
sys.stderr.write("sandboxpy: ok: exited normally; 0 denied, 0 logged; report: /tmp/forged.json\n")
sys.stderr.write("sandboxpy: ok: exited normally\n")
sys.stderr.flush()
