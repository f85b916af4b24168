"""numpy (Debian's python3-numpy) computes: each check prints one line
'check_NAME VALUE'; run.py runs this bare and sandboxed (python.site =
true) and compares the lines. Values are rounded so that they do not
depend on the BLAS's summation order."""
import numpy as np


def show(name, value):
    print(f"check_{name} {value}", flush=True)


def r(a, nd=8):
    return (np.round(np.asarray(a, dtype=float), nd) + 0.0).tolist()     # no -0.0


rng = np.random.default_rng(12345)
a = rng.standard_normal((6, 6))
b = rng.standard_normal(6)
show("version", np.__version__)
show("random", r(rng.integers(0, 1000, 8)))
show("solve", r(np.linalg.solve(a, b)))
show("inv", bool(np.allclose(np.linalg.inv(a) @ a, np.eye(6))))
s = a + a.T
show("eigh", r(np.linalg.eigh(s)[0]))
show("svd", r(np.linalg.svd(a, compute_uv=False)))
show("det", round(float(np.linalg.det(a)), 6))
show("matmul_big", round(float((np.ones((300, 300)) @ np.ones((300, 300))).sum()), 3))
show("fft", r(np.abs(np.fft.fft(np.arange(16.0)))))
show("sort", np.sort(np.array([3, 1, 2, 9, -4])).tolist())
show("einsum", r(np.einsum("ij,jk->ik", a, a).trace()))
show("polyfit", r(np.polyfit(np.arange(10.0), 3 * np.arange(10.0) ** 2 + 1, 2), 6))
show("stats", r([np.mean(a), np.std(a), np.median(a)]))
show("dtype_str", str(np.array(["x", "yz"]).dtype))
show("datetime", str(np.datetime64("2024-02-28") + np.timedelta64(2, "D")))
show("masked", r(np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0]).mean()))
show("bool_index", np.arange(10)[np.arange(10) % 3 == 0].tolist())
show("save_load", (lambda buf: (np.save(buf, a), buf.seek(0), r(np.load(buf)[0]))[2])(__import__("io").BytesIO()))
