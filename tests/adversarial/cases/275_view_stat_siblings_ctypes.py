"""stat() the expected output and another student's solution.py through
libc with ctypes (native code: no audit event at all), under the default
policy with ctypes allowed.

Contained by the view (confinement.md "The view"): outside it a path does
not exist for native code either (ENOENT); Landlock could not stop a stat.
Nothing is refused, so nothing is recorded. The program is the witness.

{
  "policy": {"version": 1, "native": {"ctypes": true}},
  "args": ["BASE/tests/1.out", "OUTSIDE/solution.py", "/etc/os-release"],
  "setup": {"files": {"BASE/tests/1.out": "42\n", "OUTSIDE/solution.py": "print(42)\n"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok", "recorded": false,
             "why": "outside the view a path does not exist: ENOENT, nothing refused (confinement.md, The view)"}
}
"""
import ctypes
import sys

libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(256)
for path in sys.argv[1:]:
    r = libc.stat(path.encode(), buf)
    if r == 0:
        # st_size is at offset 48 in x86_64's struct stat.
        print("ESCAPED", path, int.from_bytes(buf.raw[48:56], "little"))
    else:
        print(path, "errno", ctypes.get_errno())
