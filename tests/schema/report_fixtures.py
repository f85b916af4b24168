"""The autouse fixture that checks reports against docs/report.schema.json
in the pytest suites: imported into tests/e2e/conftest.py and into the
tests/python modules (which have no conftest of their own, so that both
directories can run in one pytest session)."""
import sys

import pytest

import report_schema


@pytest.fixture(autouse=True)
def reports_match_the_schema(tmp_path, monkeypatch):
    """During the test, every report the Python wrapper reads (it keeps
    none on disk); after it, every report, batch result line and --log
    line left under its tmp_path (the ones read and then overwritten by a
    later run were checked as they were read)."""
    mod = sys.modules.get("sandboxpy._result")
    if mod is not None:
        orig = mod.Result.from_report.__func__

        def from_report(cls, report, **kw):
            report_schema.check_report(report, "the report the wrapper read")
            return orig(cls, report, **kw)

        monkeypatch.setattr(mod.Result, "from_report", classmethod(from_report))
    yield
    report_schema.check_tree(tmp_path)
