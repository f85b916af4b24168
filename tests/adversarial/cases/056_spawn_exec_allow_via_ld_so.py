"""exec_allow names one program (/usr/bin/true); run an ELF binary of our
own from the working directory anyway, through the dynamic loader
(/lib64/ld-linux-x86-64.so.2 ./evil): the loader must stay executable for
allowed dynamic programs, and it maps ./evil by reading it (the working
directory is readable). Spawned below subprocess.Popen's audit event.

{
  "policy": {"version": 1, "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"], "build": {"CWD/evil": "#include <fcntl.h>\n#include <unistd.h>\nint main(void) { int fd = open(\"out/spawned\", O_CREAT | O_WRONLY, 0644); write(1, \"evil ran\\n\", 9); return fd < 0; }\n"}},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"rule": "process.exec_allow", "action": "deny"}]}
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


spawn([b"/lib64/ld-linux-x86-64.so.2", b"./evil"])
