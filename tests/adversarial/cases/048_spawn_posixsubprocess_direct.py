"""Call _posixsubprocess.fork_exec directly: subprocess.Popen raises its
audit event in Python before calling it, and the C function itself raises
none in 3.11, so the hook never sees this spawn. The kernel must refuse
the fork, and the report must call it a bypass.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "rule": "process.spawn", "bypass": true}]}
}
"""
import os

import _posixsubprocess

r, w = os.pipe()
try:
    pid = _posixsubprocess.fork_exec(
        [b"/bin/touch", b"out/spawned"], [b"/bin/touch"],   # args, executable_list
        True, (w,), None, None,                            # close_fds, fds_to_keep, cwd, env
        -1, -1, -1, -1, -1, -1,                            # std descriptors: inherited
        r, w,                                              # errpipe read, write
        False, False, -1,                                  # restore_signals, setsid, pgid
        None, None, None, -1,                              # gid, gids, uid, umask
        None, False)                                       # preexec_fn, use_vfork
    os.waitpid(pid, 0)
    print("ESCAPED")
except OSError as e:
    print("refused:", e)
