"""Read a secret from the environment sandboxpy was started with
(SBXADV_SECRET, set by the runner): policy.md says the child's environment
is exactly python.env plus PATH and HOME.

Contained without a record: the variable is never given to the child
(policy.md, running.md); there is no operation to refuse.

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "SECRET-TOKEN"},
  "expect": {"status": "ok", "recorded": false,
             "why": "policy.md: the environment is exactly python.env + PATH + HOME; nothing is refused, the secret is just absent"}
}
"""
import os

print(dict(os.environ))
try:
    print(open("/proc/self/environ", "rb").read())
except OSError as e:
    print("environ:", e)
