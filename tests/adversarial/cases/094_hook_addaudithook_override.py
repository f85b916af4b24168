"""Add Python audit hooks of our own that try to neutralise the sandbox's:
one swallows everything it sees by re-raising nothing, one re-enters open()
from inside a hook. Then create a file outside: the native hook must still
refuse it, and it must be the audit hook that records it.

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/x"],
  "oracle": {"absent": "OUTSIDE/x"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "open", "rule": "filesystem.write", "detail_contains": "outside/x"}],
             "no_events": [{"layer": "landlock"}]}
}
"""
import sys

depth = 0


def swallow(event, args):
    return None


def reenter(event, args):
    global depth
    if event == "open" and depth == 0:
        depth += 1
        try:
            open("/dev/null").close()
        except Exception:
            pass
        depth -= 1


sys.addaudithook(swallow)
sys.addaudithook(reenter)
try:
    with open(sys.argv[1], "w") as f:
        f.write("pwned\n")
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
