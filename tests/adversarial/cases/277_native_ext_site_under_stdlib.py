"""Load a C extension of an installed package (yaml._yaml, Debian's
python3-yaml) with native.extensions "stdlib" and python.site on: site
packages are importable, but "stdlib" means the standard library's
lib-dynload, not the site directories' extensions.

Refused by the hook at the extension load (policy.md "native"), with a
hint naming the package. The program is the witness: it prints ESCAPED
only when the extension's code was loaded.

{
  "policy": {"version": 1, "python": {"site": true}, "native": {"extensions": "stdlib"}},
  "oracle": {"stdout_lacks": "ESCAPED"},
  "expect": {"status": "ok",
             "events": [{"layer": "audit", "event": "import", "rule": "native.extensions", "action": "deny",
                         "module": "yaml._yaml"}]}
}
"""
import sys

sys.path.append("/usr/lib/python3/dist-packages")
try:
    import yaml._yaml
except ImportError as e:
    print("refused:", e)
else:
    print("ESCAPED", yaml._yaml.__file__)
