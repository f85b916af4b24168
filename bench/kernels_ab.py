"""Paired speed of bench/kernels.py: python3.11 -I against two sandboxpy
binaries (before and after a change), interleaved round by round, the
best time of each kernel over the rounds; speed = python3.11's time / the
command's, and the geometric mean. Usage: kernels_ab.py ROUNDS OLD NEW"""
import json
import math
import os
import subprocess
import sys

rounds, old, new = int(sys.argv[1]), sys.argv[2], sys.argv[3]
kernels = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernels.py")
cmds = {"python3.11": ["/usr/bin/python3.11", "-I"], "old": [old, "-q"], "new": [new, "-q"]}
best = {k: {} for k in cmds}
for r in range(rounds):
    order = list(cmds.items()) if r % 2 == 0 else list(reversed(cmds.items()))
    for k, c in order:
        out = json.loads(subprocess.run(c + [kernels], capture_output=True, text=True,
                                        check=True).stdout)
        for n, v in out.items():
            best[k][n] = min(best[k].get(n, float("inf")), v)
for k in ("old", "new"):
    speed = {n: best["python3.11"][n] / best[k][n] for n in best[k]}
    geo = math.exp(sum(math.log(v) for v in speed.values()) / len(speed))
    print(k, {n: round(v, 3) for n, v in speed.items()}, "geomean", round(geo, 3))
