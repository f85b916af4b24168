"""A PEP 517 build backend for the sandboxpy wrapper in the standard library
only, so `pip install ./python` works offline with nothing but pip: the
wheel is a zip of the package plus the metadata files the wheel format
(PEP 427) asks for. Metadata comes from pyproject.toml's [project] table,
read with a tiny reader because tomllib is Python 3.11+ only."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from typing import Any, Dict, List, Optional, Tuple

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGE = "sandboxpy"
# Fixed timestamps: the same source gives the same archive bytes.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)
_TAR_MTIME = 1577836800

Settings = Optional[Dict[str, Any]]


def _project() -> Dict[str, str]:
    """The simple `key = "string"` entries of [project] in pyproject.toml."""
    with open(os.path.join(_HERE, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.M | re.S)
    if section is None:
        raise RuntimeError("pyproject.toml has no [project] table")
    return dict(re.findall(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"\s*$', section.group(1), re.M))


def _metadata() -> str:
    p = _project()
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {p['name']}",
        f"Version: {p['version']}",
        f"Summary: {p.get('description', '')}",
        f"Requires-Python: {p.get('requires-python', '>=3.9')}",
    ]
    readme = p.get("readme")
    body = ""
    if readme:
        with open(os.path.join(_HERE, readme), encoding="utf-8") as f:
            body = f.read()
        lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + body


def _dist_name() -> Tuple[str, str]:
    p = _project()
    return re.sub(r"[-_.]+", "_", p["name"]).lower(), p["version"]


def _package_files() -> List[str]:
    """Paths of the package's files, relative to python/, sorted."""
    out = []
    for root, dirs, files in os.walk(os.path.join(_HERE, _PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".typed")):
                out.append(os.path.relpath(os.path.join(root, name), _HERE))
    return out


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{arcname},sha256={digest.decode()},{len(data)}"


def _write_wheel(directory: str, entries: List[Tuple[str, bytes]]) -> str:
    dist, version = _dist_name()
    info = f"{dist}-{version}.dist-info"
    entries = entries + [
        (f"{info}/METADATA", _metadata().encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: sandboxpy_build\n"
                          b"Root-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{info}/top_level.txt", f"{_PACKAGE}\n".encode()),
    ]
    record = [_record_line(n, d) for n, d in entries] + [f"{info}/RECORD,,"]
    entries.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    name = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data in entries:
            zi = zipfile.ZipInfo(arcname, _ZIP_DATE)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    return name


def _read(rel: str) -> bytes:
    with open(os.path.join(_HERE, rel), "rb") as f:
        return f.read()


# ---- PEP 517 / PEP 660 hooks ----

def get_requires_for_build_wheel(config_settings: Settings = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Settings = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Settings = None) -> List[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: Settings = None,
                metadata_directory: Optional[str] = None) -> str:
    files = [(rel.replace(os.sep, "/"), _read(rel)) for rel in _package_files()]
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory: str, config_settings: Settings = None,
                   metadata_directory: Optional[str] = None) -> str:
    """An editable install: a .pth file that puts this directory on sys.path."""
    return _write_wheel(wheel_directory, [(f"_{_PACKAGE}_editable.pth",
                                           (_HERE + "\n").encode())])


def build_sdist(sdist_directory: str, config_settings: Settings = None) -> str:
    dist, version = _dist_name()
    base = f"{dist}-{version}"
    rels = ["pyproject.toml", "README.md", os.path.join("_backend", "sandboxpy_build.py")]
    rels += _package_files()
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz",
                      format=tarfile.PAX_FORMAT) as tar:
        def add(arcname: str, data: bytes) -> None:
            ti = tarfile.TarInfo(f"{base}/{arcname}")
            ti.size, ti.mtime, ti.mode = len(data), _TAR_MTIME, 0o644
            tar.addfile(ti, io.BytesIO(data))
        for rel in rels:
            add(rel.replace(os.sep, "/"), _read(rel))
        add("PKG-INFO", _metadata().encode())
    return name
