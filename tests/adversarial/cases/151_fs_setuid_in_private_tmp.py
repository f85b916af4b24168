"""Leave a set-uid program in the private tmp directory (filesystem.tmp):
a host directory the sandbox can write, which outlived the run.

{
  "policy": {"version": 1, "filesystem": {"tmp": true}},
  "setup": {"dirs": ["OUTSIDE/tmp"], "env": {"TMPDIR": "OUTSIDE/tmp"}},
  "oracle": {"empty": "OUTSIDE/tmp", "no_setid": "OUTSIDE"},
  "expect": {"status": "ok",
             "recorded": false,
             "why": "the private tmp is a tmpfs in the sandbox's mount namespace (docs/confinement.md): nothing written there reaches the host, so there is nothing to refuse"}
}
"""
import os
import tempfile

d = tempfile.mkdtemp()
path = os.path.join(d, "suid")
with open(path, "w") as f:
    f.write("#!/bin/sh\nid\n")
try:
    os.chmod(path, 0o4755)
except OSError as e:
    print("chmod refused:", e)
print("made", path)
