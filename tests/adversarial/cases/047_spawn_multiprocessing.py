"""A multiprocessing.Process whose target writes the marker (fork start
method: no exec needed).

{
  "policy": {"version": 1, "filesystem": {"write": ["./out"]}},
  "setup": {"dirs": ["CWD/out"]},
  "oracle": {"absent": "CWD/out/spawned"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "rule": "process.spawn", "action": "deny"}]}
}
"""
import multiprocessing


def child():
    open("out/spawned", "w").close()


if __name__ == "__main__":
    try:
        ctx = multiprocessing.get_context("fork")
        p = ctx.Process(target=child)
        p.start()
        p.join()
        print("ESCAPED")
    except OSError as e:
        print("refused:", e)
