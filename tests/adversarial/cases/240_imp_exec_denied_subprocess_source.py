"""imports.deny names the pure-Python subprocess module while the policy
lets the program start processes: exec subprocess.py's source under another
name and use its Popen. Its capability lives in the C module
_posixsubprocess (fork_exec), which the denial of subprocess covers.

{
  "policy": {"version": 1, "imports": {"deny": ["subprocess"]}, "process": {"spawn": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "import", "rule": "imports.deny", "action": "deny"}]}
}
"""
import os
import sys
import sysconfig
import types

src = open(os.path.join(sysconfig.get_paths()["stdlib"], "subprocess.py")).read()
mod = types.ModuleType("not_subprocess")
sys.modules["not_subprocess"] = mod
ns = mod.__dict__
try:
    exec(compile(src, "not_subprocess", "exec"), ns)
    out = ns["check_output"](["/bin/echo", "ESCAPED: subprocess from its source"])
    print(out.decode().strip())
except ImportError as e:
    print("refused:", repr(e), repr(e.__cause__))
