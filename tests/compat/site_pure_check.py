"""Pure-Python packages from site-packages (Debian's, installed with
python3-pytest): packaging, pluggy, iniconfig, attrs. Each check prints
one line 'check_NAME VALUE'; run.py compares bare and sandboxed output."""
import io


def show(name, value):
    print(f"check_{name} {value}", flush=True)


from packaging.version import Version
from packaging.specifiers import SpecifierSet
from packaging.requirements import Requirement

show("packaging_version", sorted(["1.10", "1.2", "1.2.post1", "2.0rc1"], key=Version))
show("packaging_spec", [v for v in ["1.0", "1.5", "2.0", "2.1"] if v in SpecifierSet(">=1.5,<2.1")])
req = Requirement('requests[security]>=2.8.1; python_version < "3.13"')
show("packaging_req", (req.name, sorted(req.extras), str(req.specifier), req.marker.evaluate()))

import pluggy

hookspec = pluggy.HookspecMarker("demo")
hookimpl = pluggy.HookimplMarker("demo")


class Spec:
    @hookspec
    def calc(self, x):
        pass


class PlugA:
    @hookimpl
    def calc(self, x):
        return x + 1


class PlugB:
    @hookimpl
    def calc(self, x):
        return x * 10


pm = pluggy.PluginManager("demo")
pm.add_hookspecs(Spec)
pm.register(PlugA())
pm.register(PlugB())
show("pluggy", sorted(pm.hook.calc(x=4)))

import attr


@attr.s(frozen=True)
class Point:
    x = attr.ib()
    y = attr.ib(default=0)


show("attrs", (repr(Point(1, 2)), Point(1) == Point(1, 0), attr.asdict(Point(3, 4))))

import iniconfig

cfg = iniconfig.IniConfig("demo.ini", data="[section]\nkey = value\nnum = 3\n")
show("iniconfig", (cfg["section"]["key"], int(cfg["section"]["num"])))

import more_itertools

show("more_itertools", list(more_itertools.chunked(range(7), 3)))
