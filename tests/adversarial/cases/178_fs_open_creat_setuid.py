"""Create a set-uid file in the writable tree directly, with its creation
mode: os.open(O_CREAT, 0o4755) needs no chmod at all.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/suid"},
  "expect": {"status": "ok",
             "events": [{"rule": "system", "syscall_contains": "open"}]}
}
"""
import os

try:
    fd = os.open("out/suid", os.O_CREAT | os.O_WRONLY, 0o4755)
    print("created, mode", oct(os.fstat(fd).st_mode))
except OSError as e:
    print("refused:", e)
