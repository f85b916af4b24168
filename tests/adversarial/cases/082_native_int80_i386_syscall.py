"""Map executable memory with ctypes and run i386 "int 0x80" machine code
(getpid, syscall 20 in the 32-bit table): a filter that does not check the
architecture sees another syscall number entirely. seccomp.md: other ABIs
kill the process with SIGSYS and the report's status is "signal".

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "signal", "signal": 31, "message_contains": "SIGSYS"}
}
"""
import ctypes
import mmap
import sys

# mov eax, 20 ; int 0x80 ; ret
code = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"
buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(code)
addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
fn = ctypes.CFUNCTYPE(ctypes.c_int)(addr)
sys.stdout.flush()
r = fn()
print("ESCAPED: i386 getpid returned", r, flush=True)
