"""Create an SQLite database outside (sqlite opens the file in C).

{
  "policy": {"version": 1},
  "args": ["OUTSIDE/db.sqlite"],
  "oracle": {"absent": "OUTSIDE/db.sqlite"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "sqlite3.connect", "rule": "filesystem.write"}]}
}
"""
import sqlite3
import sys

try:
    db = sqlite3.connect(sys.argv[1])
    db.execute("create table t(x)")
    db.commit()
    print("ESCAPED")
except Exception as e:
    print("refused:", e)
