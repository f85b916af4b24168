"""Make a set-uid file in a write tree only root may write (the grading
and plugin layouts under /tmp/pytest-of-root): through an idmapped mount
it would be stored as root's, a set-uid root program on the host.

{
  "policy": {"version": 1, "filesystem": {"write": ["CWD/out"]}},
  "args": ["CWD/out/suid"],
  "setup": {"dirs": ["CWD/out"], "root_owned": ["CWD/out"]},
  "unprivileged": "skip: an unprivileged caller cannot own a root-owned write tree; nothing is idmapped",
  "oracle": {"no_setid": "CWD", "not_root_owned": "CWD/out"},
  "expect": {"status": "internal", "exit_code": null,
             "message_contains": "is not writable by the sandbox's uid",
             "recorded": false,
             "why": "refused at start: the report's status (internal, exit 125) and message name the tree, its owner and mode, and the fix (docs/confinement.md)"}
}
"""
import os
import sys

path = sys.argv[1]
open(path, "w").write("#!/bin/sh\nid\n")
try:
    os.chmod(path, 0o4755)
except OSError as e:
    print("chmod refused:", e)
st = os.stat(path)
print("mode %o uid %d" % (st.st_mode, st.st_uid))
