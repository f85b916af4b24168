"""Every always-denied syscall by raw number, with arguments the kernel
rejects harmlessly (bad pointers, bad flags, descriptor -1), then again
with the upper 32 bits of the syscall number set (the kernel and the
filter both read the low 32 bits). The numbers are scattered from 29
(shmget) to 447 (memfd_secret) across the filter's binary search, so a
wrong jump at a leaf boundary lets one through to the kernel, whose own
errno (EFAULT, EINVAL, EBADF, ...) then shows instead of the sandbox's
EPERM. The syscalls past the table's highest row and -1 must reach
nothing either (ENOSYS).

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "seccomp", "syscall": "shmget", "rule": "system", "bypass": true},
                        {"layer": "seccomp", "syscall": "ptrace", "rule": "system", "bypass": true},
                        {"layer": "seccomp", "syscall": "mount", "rule": "system", "bypass": true},
                        {"layer": "seccomp", "syscall": "kexec_load", "rule": "system", "bypass": true},
                        {"layer": "seccomp", "syscall": "pidfd_getfd", "rule": "system", "bypass": true},
                        {"layer": "seccomp", "syscall": "memfd_secret", "rule": "system", "bypass": true}],
             "summary": {"denied": {"min": 100}}}
}
"""
import ctypes
import errno
import os

BAD = 1            # an address no call can read or write
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.syscall.argtypes = [ctypes.c_long] * 7

# nr: (name, args); each call fails in the kernel with an errno of its own.
DENIED = {
    29: ("shmget", 0x5bc0ffee, 0, 0), 30: ("shmat", -1, 0, 0), 31: ("shmctl", -1, 2, BAD),
    64: ("semget", 0x5bc0ffee, 1, 0), 65: ("semop", -1, BAD, 1), 66: ("semctl", -1, 0, 2),
    67: ("shmdt", BAD), 68: ("msgget", 0x5bc0ffee, 0), 69: ("msgsnd", -1, BAD, 1, 0),
    70: ("msgrcv", -1, BAD, 1, 0, 0), 71: ("msgctl", -1, 2, BAD),
    101: ("ptrace", -1, 0, 0, 0), 103: ("syslog", -1, 0, 0), 134: ("uselib", BAD),
    154: ("modify_ldt", 99, 0, 0), 155: ("pivot_root", BAD, BAD),
    159: ("adjtimex", BAD), 161: ("chroot", BAD), 164: ("settimeofday", BAD, BAD),
    165: ("mount", BAD, BAD, BAD, 0, 0), 166: ("umount2", BAD, 0xffffffff),
    167: ("swapon", BAD, 0), 168: ("swapoff", BAD), 169: ("reboot", 0, 0, 0, 0),
    170: ("sethostname", BAD, 1 << 20), 171: ("setdomainname", BAD, 1 << 20),
    172: ("iopl", 4), 173: ("ioperm", 0x10000, 8, 1), 175: ("init_module", BAD, 16, BAD),
    176: ("delete_module", BAD, 0), 179: ("quotactl", 0, BAD, 0, 0), 212: ("lookup_dcookie", 0, BAD, 0),
    220: ("semtimedop", -1, BAD, 1, 0), 227: ("clock_settime", -1, BAD), 240: ("mq_open", BAD, 0, 0, 0),
    241: ("mq_unlink", BAD), 242: ("mq_timedsend", -1, BAD, 1, 0, 0),
    243: ("mq_timedreceive", -1, BAD, 1, 0, 0), 244: ("mq_notify", -1, 0), 245: ("mq_getsetattr", -1, 0, 0),
    246: ("kexec_load", 0, 1000, BAD, 0xdead0000), 248: ("add_key", BAD, BAD, 0, 0, 0),
    249: ("request_key", BAD, BAD, 0, 0), 250: ("keyctl", -1, 0, 0, 0, 0),
    256: ("migrate_pages", -1, 1 << 40, BAD, BAD), 272: ("unshare", 0x1),
    279: ("move_pages", 0, 1, BAD, 0, BAD, 0xff), 298: ("perf_event_open", BAD, 0, -1, -1, 0),
    300: ("fanotify_init", 0xffffffff, 0), 301: ("fanotify_mark", -1, 0xffffffff, 0, -1, 0),
    303: ("name_to_handle_at", -1, BAD, BAD, BAD, 0xffff), 304: ("open_by_handle_at", -1, BAD, 0),
    305: ("clock_adjtime", -1, BAD), 308: ("setns", -1, 0), 310: ("process_vm_readv", 0, 0, 0, 0, 0, 1),
    311: ("process_vm_writev", 0, 0, 0, 0, 0, 1), 312: ("kcmp", -1, -1, 0, 0, 0),
    313: ("finit_module", -1, 0, 0xffff), 320: ("kexec_file_load", -1, -1, 0, 0, 0xdead0000),
    321: ("bpf", 0xffff, 0, 0), 323: ("userfaultfd", 0xffffffff), 425: ("io_uring_setup", 0, BAD),
    426: ("io_uring_enter", -1, 0, 0, 0, 0, 0), 427: ("io_uring_register", -1, 0, 0, 0),
    428: ("open_tree", -1, BAD, 0xffffffff), 429: ("move_mount", -1, BAD, -1, BAD, 0xffffffff),
    430: ("fsopen", BAD, 0), 431: ("fsconfig", -1, 0, 0, 0, 0), 432: ("fsmount", -1, 0xffffffff, 0),
    433: ("fspick", -1, BAD, 0xffffffff), 440: ("process_madvise", -1, 0, 0, 0, 1),
    442: ("mount_setattr", -1, BAD, 0xffffffff, 0, 0), 443: ("quotactl_fd", -1, 0, 0, 0),
    438: ("pidfd_getfd", -1, 0, 1), 447: ("memfd_secret", 0xffff), 448: ("process_mrelease", -1, 0),
}


def call(nr, args):
    args = [a if a < (1 << 63) else a - (1 << 64) for a in args] + [0] * (6 - len(args))
    ctypes.set_errno(0)
    r = libc.syscall(nr, *args)
    return r, ctypes.get_errno()


reached = []
for high in (0, 1 << 32):
    for nr, (name, *args) in sorted(DENIED.items()):
        r, e = call(nr | high, args)
        if r >= 0 or e != errno.EPERM:
            reached.append("%s%s: %s" % (name, " (nr | 2**32)" if high else "", r if r >= 0 else errno.errorcode.get(e, e)))
# Past the filter's highest row (futex_requeue, 456): syscalls this kernel
# has and the tables do not name (statmount .. file_setattr, listns), none,
# and -1 (a 64-bit number truncates to it too). The sandbox answers ENOSYS.
for nr in list(range(457, 481)) + [-1, 0x3FFFFFFF, (1 << 32) - 1, (1 << 63) - 1]:
    r, e = call(nr, [(1 << 64) - 1, BAD, BAD, 0, 0xFFFFFFFF, 0])
    print("nr %#x -> %s" % (nr, r if r >= 0 else errno.errorcode.get(e, e)), flush=True)
    if r >= 0 or e not in (errno.ENOSYS, errno.EPERM):
        reached.append("nr %#x: %s" % (nr, r if r >= 0 else errno.errorcode.get(e, e)))
print("%d calls reached the kernel" % len(reached))
for line in reached:
    print("ESCAPED:", line)
