"""Start /bin/touch with subprocess.run; the child would create out/spawned
(the writable tree, so only the spawn itself stands in the way).

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "subprocess.Popen", "rule": "process.spawn", "action": "deny"}]}
}
"""
import subprocess

try:
    subprocess.run(["/bin/touch", "out/spawned"], check=True)
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
