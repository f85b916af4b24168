"""Import ctypes with native.ctypes false and call libc's getpid() through
it (any foreign call means arbitrary native code).

{
  "policy": {"version": 1},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "native.ctypes", "action": "deny"}]}
}
"""
try:
    import ctypes
    libc = ctypes.CDLL(None)
    print("ESCAPED: libc getpid() =", libc.getpid())
except (ImportError, OSError) as e:
    print("refused:", repr(e), repr(e.__cause__))
