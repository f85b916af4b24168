"""Games with descriptor 3 and its copies, from pure Python: close it,
dup2 /dev/null over it, closerange over it, copy it and replace or close
the copies. The hook's channel must stay whole: the refusal that follows
is recorded, with no gap, junk or tampering.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok", "exit_code": 0,
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"}],
             "summary": {"denied": 1, "channel_gaps": 0, "channel_junk": 0, "channel_tampered": false}}
}
"""
import os
import sys


def attempt(what, fn):
    try:
        print(what, "->", fn(), flush=True)
    except OSError as e:
        print(what, "->", e, flush=True)


null = os.open("/dev/null", os.O_RDWR)
attempt("close(3)", lambda: os.close(3))
attempt("dup2(null, 3)", lambda: os.dup2(null, 3))
attempt("closerange(3, 64)", lambda: os.closerange(3, 64))
null = os.open("/dev/null", os.O_RDWR)
copies = []
for _ in range(3):
    try:
        copies.append(os.dup(3))
    except OSError as e:
        print("dup(3):", e, flush=True)
for c in copies[:1]:
    attempt("dup2(null, copy)", lambda: os.dup2(null, c))
for c in copies[1:]:
    attempt("close(copy)", lambda: os.close(c))
attempt("dup2(copy-replaced, 3)", lambda: os.dup2(copies[0], 3) if copies else None)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
