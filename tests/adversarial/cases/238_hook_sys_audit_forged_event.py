"""Raise CPython's own event name from Python: sys.audit("os.fork") makes
the hook send a genuine record that could "explain" a raw fork made later
through native code. The program also tries to get the original sys.audit
back through _imp.create_builtin, which restores sys's saved dict. The
program is the witness: it prints ESCAPED when a forged event went out.

{
  "policy": {"version": 1, "events": [{"event": "os.fork", "action": "log"}]},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "sys.audit", "rule": "system", "action": "deny"}],
             "no_events": [{"event": "os.fork"}]}
}
"""
import _imp
import importlib.machinery
import sys

for attempt in ("direct", "restored"):
    if attempt == "restored":
        _imp.create_builtin(importlib.machinery.ModuleSpec("sys", None))
    try:
        sys.audit("os.fork")
        print("ESCAPED: forged os.fork event raised", attempt)
    except PermissionError as e:
        print("refused:", attempt, e)
