"""exec_allow names one program (/usr/bin/true); exec /bin/touch below
subprocess.Popen's audit event (_posixsubprocess.fork_exec).

Contained by Landlock's EXECUTE right (only the exec_allow files and the
ELF loader have it), which refuses silently: confinement.md makes only
writes by path (and connections) visible through the supervisor.

{
  "policy": {"version": 1, "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok", "recorded": false,
             "why": "confinement.md: Landlock refuses silently; only writes by path and connections are made visible"}
}
"""
import os

import _posixsubprocess


def spawn(args):
    """fork+exec below subprocess.Popen: no audit event in 3.11."""
    r, w = os.pipe()
    try:
        pid = _posixsubprocess.fork_exec(
            args, [args[0]], True, (w,), None, None, -1, -1, -1, -1, -1, -1, r, w,
            False, False, -1, None, None, None, -1, None, False)
    except OSError as e:
        print(args, "refused:", e)
        return
    os.close(w)
    err = os.read(r, 200)
    print(args, "->", os.waitpid(pid, 0)[1], err, flush=True)


spawn([b"/bin/touch", b"out/spawned"])
