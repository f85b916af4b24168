"""Through a dup of descriptor 3: the smallest send buffer, a 1 us send
timeout and O_NONBLOCK, then four threads refuse 200 opens each at once.
Every record must arrive, numbered without gaps or disorder (the threads
interleave), and the last refusal must be in the report.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["OUTSIDE/x", "OUTSIDE/flood"],
  "oracle": {"absent": ["OUTSIDE/x", "OUTSIDE/flood.0.0", "OUTSIDE/flood.3.199"]},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"}],
             "summary": {"denied": 801, "events_dropped": 0, "channel_gaps": 0, "channel_disorder": 0,
                         "channel_junk": 0, "channel_tampered": false, "killed_by": null}}
}
"""
import ctypes
import fcntl
import os
import struct
import sys
import threading

SOL_SOCKET, SO_SNDBUF, SO_SNDTIMEO = 1, 7, 21
libc = ctypes.CDLL(None, use_errno=True)
try:
    d = os.dup(3)
    one = ctypes.c_int(1)
    tv = ctypes.create_string_buffer(struct.pack("qq", 0, 1))
    print("SO_SNDBUF:", libc.setsockopt(d, SOL_SOCKET, SO_SNDBUF, ctypes.byref(one), 4),
          "SO_SNDTIMEO:", libc.setsockopt(d, SOL_SOCKET, SO_SNDTIMEO, tv, 16), flush=True)
    fcntl.fcntl(d, fcntl.F_SETFL, fcntl.fcntl(d, fcntl.F_GETFL) | os.O_NONBLOCK)
except OSError as e:
    print("dup(3):", e, flush=True)


def flood(t):
    for i in range(200):
        try:
            open(f"{sys.argv[2]}.{t}.{i}", "w").close()
        except OSError:
            pass


threads = [threading.Thread(target=flood, args=(t,)) for t in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
