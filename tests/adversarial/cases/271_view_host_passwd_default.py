"""Read the host's account list (/etc/passwd) under builtin:default's settings.

Contained by the view (confinement.md "The view"): /etc/passwd inside the
sandbox is the run's own, written for it, naming only root, the sandbox's
user and nobody; the host's file is not in the view unless the policy
names it. The program is the witness: it prints ESCAPED only when it read
a host account (daemon, bin, sys: in every Debian passwd).

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "nothing is refused: the view's /etc/passwd is generated for the run (confinement.md, The view; policy.md, Implicit reads)"}
}
"""
try:
    text = open("/etc/passwd").read()
except OSError as e:
    print("refused:", e)
else:
    names = {line.split(":")[0] for line in text.splitlines() if line}
    if names & {"daemon", "bin", "sys"}:
        print("ESCAPED", sorted(names))
    else:
        print("generated:", sorted(names))
