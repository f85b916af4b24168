"""CPU-bound pure-Python kernels, pyperformance-style, written for sandboxpy's
bench: n-body, a richards-like scheduler of small objects, regular
expressions, a JSON round trip. Each kernel runs REPEAT times; the best
time (s) of each is printed as one JSON object, so start-up is not part of
the figure. Run under /usr/bin/python3.11 -I and under sandboxpy."""
import json
import re
import sys
import time

REPEAT = 5


def nbody(steps=20000):
    pi = 3.141592653589793
    solar_mass = 4 * pi * pi
    dpy = 365.24
    bodies = [
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], solar_mass],
        [[4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01],
         [1.66007664274403694e-03 * dpy, 7.69901118419740425e-03 * dpy, -6.90460016972063023e-05 * dpy],
         9.54791938424326609e-04 * solar_mass],
        [[8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01],
         [-2.76742510726862411e-03 * dpy, 4.99852801234917238e-03 * dpy, 2.30417297573763929e-05 * dpy],
         2.85885980666130812e-04 * solar_mass],
        [[1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01],
         [2.96460137564761618e-03 * dpy, 2.37847173959480950e-03 * dpy, -2.96589568540237556e-05 * dpy],
         4.36624404335156298e-05 * solar_mass],
        [[1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01],
         [2.68067772490389322e-03 * dpy, 1.62824170038242295e-03 * dpy, -9.51592254519715870e-05 * dpy],
         5.15138902046611451e-05 * solar_mass],
    ]
    pairs = [(bodies[i], bodies[j]) for i in range(5) for j in range(i + 1, 5)]
    dt = 0.01
    for _ in range(steps):
        for ([x1, y1, z1], v1, m1), ([x2, y2, z2], v2, m2) in pairs:
            dx, dy, dz = x1 - x2, y1 - y2, z1 - z2
            mag = dt * ((dx * dx + dy * dy + dz * dz) ** -1.5)
            b1, b2 = m1 * mag, m2 * mag
            v1[0] -= dx * b2
            v1[1] -= dy * b2
            v1[2] -= dz * b2
            v2[0] += dx * b1
            v2[1] += dy * b1
            v2[2] += dz * b1
        for (r, [vx, vy, vz], m) in bodies:
            r[0] += dt * vx
            r[1] += dt * vy
            r[2] += dt * vz
    return bodies[0][0][0]


class Task:
    """A richards-like scheduler: tasks with packets, queues and state,
    lots of attribute access and method calls on small objects."""
    def __init__(self, ident, prio, work):
        self.ident, self.prio, self.work = ident, prio, work
        self.queue = []
        self.done = 0
        self.held = False

    def run(self, sched):
        if self.queue:
            pkt = self.queue.pop(0)
            pkt.count += self.work
            target = sched.tasks[(self.ident + pkt.count) % len(sched.tasks)]
            target.queue.append(pkt)
            self.done += 1
        elif self.ident % 3 == 0:
            self.held = not self.held


class Packet:
    __slots__ = ("count", "kind")

    def __init__(self, kind):
        self.count = 0
        self.kind = kind


class Scheduler:
    def __init__(self, n):
        self.tasks = [Task(i, i % 5, i % 7 + 1) for i in range(n)]
        for i, t in enumerate(self.tasks):
            for k in range(3):
                t.queue.append(Packet(k + i))

    def schedule(self, rounds):
        ready = sorted(self.tasks, key=lambda t: t.prio)
        for _ in range(rounds):
            for t in ready:
                if not t.held:
                    t.run(self)
        return sum(t.done for t in self.tasks)


def richards(rounds=30000):
    return Scheduler(30).schedule(rounds)


TEXT = "\n".join(
    f"{i:05d} user{i % 97}@host{i % 13}.example.org GET /item/{i * 7 % 1000}?q=a{i % 5} 200 {i * 31 % 9000}"
    for i in range(3000))
PATTERNS = [re.compile(p) for p in (
    r"(\w+)@(\w+)\.example\.org", r"GET (/item/\d+)\?q=(\w+)", r"\b\d{5}\b", r" 200 (\d+)$")]


def regex(times=6):
    n = 0
    for _ in range(times):
        for p in PATTERNS:
            n += len(p.findall(TEXT))
        n += len(re.sub(r"host(\d+)", r"h\1", TEXT))
    return n


DOC = {"items": [{"id": i, "name": f"item-{i}", "tags": ["a", "b", str(i % 9)], "price": i * 1.25,
                  "ok": i % 2 == 0, "nested": {"x": i, "y": [i, i + 1]}} for i in range(400)]}


def json_roundtrip(times=25):
    n = 0
    for _ in range(times):
        s = json.dumps(DOC)
        n += len(json.loads(s)["items"])
    return n


def main():
    out = {}
    for name, fn in (("nbody", nbody), ("richards", richards), ("regex", regex),
                     ("json", json_roundtrip)):
        best = None
        for _ in range(REPEAT):
            t = time.perf_counter()
            fn()
            d = time.perf_counter() - t
            best = d if best is None or d < best else best
        out[name] = best
    json.dump(out, sys.stdout)
    print()


main()
