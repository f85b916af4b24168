"""Write an 8 MB file in the writable tree under file_size_mb 1 (Python
ignores SIGXFSZ and would just see EFBIG and go on). A SIGXFSZ alone may
be the program's own (case 251): "output" comes from the supervisor
finding, after the run, a file of the write tree at the limit.

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}, "limits": {"file_size_mb": 1}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"max_size": ["CWD/out/big", 1048576]},
  "expect": {"status": "output", "signal": 25, "message_contains": "file size limit"}
}
"""
with open("out/big", "wb") as f:
    for _ in range(8):
        try:
            f.write(b"x" * (1 << 20))
            f.flush()
        except OSError as e:
            print("write:", e)
