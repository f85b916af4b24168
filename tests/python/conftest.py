"""Every report the Python wrapper reads (it keeps none on disk) and every
report or batch result line left under a test's tmp_path (examples/scaling)
is checked against docs/report.schema.json (tests/schema/report_schema.py,
with Debian's python3-jsonschema)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "schema"))
import report_schema  # noqa: E402  (after the path above)


@pytest.fixture(autouse=True)
def reports_match_the_schema(tmp_path, monkeypatch):
    # The wrapper builds every Result (and every error's) from the report
    # it read: check the report there, before the file is gone.
    mod = sys.modules.get("sandboxpy._result")
    if mod is not None:
        orig = mod.Result.from_report.__func__

        def from_report(cls, report, **kw):
            report_schema.check_report(report, "the report the wrapper read")
            return orig(cls, report, **kw)

        monkeypatch.setattr(mod.Result, "from_report", classmethod(from_report))
    yield
    report_schema.check_tree(tmp_path)
