"""setresuid(0, 0, 0) and setresgid(0, 0, 0): take back uid 0 (root-owned
files stay writable to uid 0 by plain permissions).

Contained without a record: confinement.md (Identity) says the program
runs as uid 64981 with every capability dropped (bounding set included)
and no_new_privs, so the kernel's permission check refuses it with EPERM;
this is the identity layer, not a rule of the policy that a layer reports.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "confinement.md Identity: uid 64981, no capabilities, no_new_privs: setresuid(0) fails with EPERM by permission"}
}
"""
import os

try:
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)
except OSError as e:
    print("refused:", e)
if os.geteuid() == 0 and os.getuid() == 0:
    try:
        os.setresuid(0, 0, 0)
        print("ESCAPED: running as uid 0")
    except OSError as e:
        print("refused:", e)
