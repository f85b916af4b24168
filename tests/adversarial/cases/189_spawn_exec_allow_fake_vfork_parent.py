"""exec_allow names /usr/bin/true. A parent P starts a child with
clone(CLONE_VM) (shared memory, not vfork) that loops execve() on a path in
that memory; P pushes itself into an uninterruptible wait (contending on a
file's lock with a big writer) so that it looks like a waiting vfork
parent, and flips the path to the ELF interpreter as soon as its write
returns. The supervisor must let only a parent that is really blocked in
vfork share the caller's memory.

{
  "policy": {"version": 1, "native": {"ctypes": true},
             "process": {"spawn": true, "exec_allow": ["/usr/bin/true"]},
             "filesystem": {"write": ["./out"]}, "limits": {"wall_seconds": 20, "cpu_seconds": 60}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"stdout_lacks": "stable release version"},
  "expect": {"events": [{"layer": "seccomp", "syscall": "execve", "rule": "system",
                         "detail_contains": "another process shares its memory"}]}
}
"""
import ctypes, os, sys, time, mmap
libc = ctypes.CDLL(None, use_errno=True)
good = b"/usr/bin/true"
bad = b"/lib64/ld-linux-x86-64.so.2"
n = len(bad) + 1
buf = ctypes.create_string_buffer(good.ljust(n, b"\0"), n)
addr = ctypes.addressof(buf)
argv = (ctypes.c_char_p * 3)(b"ld.so", b"--version", None)
envp = (ctypes.c_char_p * 1)(None)
blk = (ctypes.c_void_p * 3)(addr, ctypes.addressof(argv), ctypes.addressof(envp))
code = bytes.fromhex("488b7708488b571057488b3fb83b0000000f055febea")
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
ex = libc.mmap(None, 4096, 7, 0x22, -1, 0)
if ex in (None, ctypes.c_void_p(-1).value):
    print("no rwx mmap", ctypes.get_errno()); sys.exit(0)
ctypes.memmove(ex, code, len(code))
fn = ctypes.c_void_p(ex)
stk = ctypes.create_string_buffer(1 << 16)
stack_top = ctypes.addressof(stk) + (1 << 16) - 64
libc.clone.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
CLONE_VM = 0x100; SIGCHLD = 17
big = os.path.join("out", "big")
fd = os.open(big, os.O_RDWR | os.O_CREAT, 0o600)
q = os.fork()
if q == 0:
    chunk = b"\0" * (1 << 20)
    end = time.monotonic() + 12
    while time.monotonic() < end:
        os.pwrite(fd, chunk, 0)
    os._exit(0)
sys.stdout.flush()
GOOD = good.ljust(n, b"\0"); BAD = bad.ljust(n, b"\0")
end = time.monotonic() + 10
tries = 0
SPIN = int(os.environ.get('SPIN', '1000'))
while time.monotonic() < end:
    ctypes.memmove(addr, GOOD, n)
    pid = libc.clone(fn, stack_top, CLONE_VM | SIGCHLD, ctypes.addressof(blk))
    if pid < 0:
        print("clone failed", ctypes.get_errno()); break
    tries += 1
    while time.monotonic() < end:
        os.pwrite(fd, b"x", 0)          # D state on i_rwsem
        ctypes.memmove(addr, BAD, n)
        for _ in range(SPIN): pass
        ctypes.memmove(addr, GOOD, n)
        r = os.waitpid(pid, os.WNOHANG)
        if r[0]:
            break
    else:
        os.kill(pid, 9); os.waitpid(pid, 0)
os.kill(q, 9); os.waitpid(q, 0)
print("tries", tries)
