"""docs/report.schema.json against real reports and broken ones: the schema
is a valid Draft 2020-12 schema (Debian's python3-jsonschema), the reports
sandboxpy writes match it, and a report or result line with a field the
schema does not know, a wrong type or a wrong value does not, so the suites
that check every report (tests/e2e, tests/python, tests/adversarial) fail
on it. Its rule names are docs/rules.md's.

ctest sets SANDBOXPY; by hand:
SANDBOXPY=build/sandboxpy /usr/bin/python3 -m pytest tests/schema
"""
import copy
import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

import report_schema

SANDBOXPY = os.path.abspath(os.environ.get("SANDBOXPY", report_schema.REPO / "build" / "sandboxpy"))


def sandboxpy(tmp_path, name, *args):
    rep = tmp_path / f"{name}.json"
    subprocess.run([SANDBOXPY, "-q", "-r", str(rep), *args], cwd=tmp_path, capture_output=True,
                   timeout=60)
    return json.loads(rep.read_text())


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """Real reports: an enforced run with an audit and a kernel denial, an
    --audit-only run, a policy that does not load (never started)."""
    d = tmp_path_factory.mktemp("reports")
    return {
        "enforce": sandboxpy(d, "enforce", "-c",
                             "import os\ntry: open('/etc/x', 'w')\nexcept OSError: pass\n"
                             "try: os.listdir('/root')\nexcept OSError: pass\n"),
        "audit_only": sandboxpy(d, "audit", "--audit-only", "-c", "open('/etc/x', 'w')"),
        "never_started": sandboxpy(d, "bad", "-p", str(d / "missing.json"), "-c", "pass"),
    }


def result_line(report):
    return {"id": "a/1", "line": 1, "report": report,
            "stdout": {"bytes": 3, "truncated": False, "head": "42\n"},
            "stderr": {"bytes": 0, "truncated": False, "tail": ""},
            "stdout_match": {"exact": True, "normalized": True}}


def fails(doc, definition="report"):
    with pytest.raises(AssertionError) as e:
        (report_schema.check_report if definition == "report"
         else report_schema.check_batch_result)(doc)
    return str(e.value)


def test_the_schema_is_draft_2020_12():
    doc = report_schema.schema()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(doc)


def test_real_reports_match(reports):
    assert reports["enforce"]["mode"] == "enforce"
    assert {e["layer"] for e in reports["enforce"]["events"]} >= {"audit"}
    assert reports["audit_only"]["mode"] == "audit-only"
    assert reports["never_started"]["status"] == "internal"
    for name, r in reports.items():
        assert report_schema.problems(r) == [], name
        report_schema.check_batch_result(result_line(r))


@pytest.mark.parametrize("mutate, says", [
    (lambda r: r.update(surprise=1), "Additional properties"),
    (lambda r: r.update(status="finished"), "'finished' is not one of"),
    (lambda r: r.update(exit_code="0"), "is not of type"),
    (lambda r: r["summary"].pop("events_dropped"), "'events_dropped' is a required property"),
    (lambda r: r["summary"].update(killed_by={"rule": "process.spawn"}), "killed_by"),
    (lambda r: r["layers"]["seccomp"].update(extra=True), "Additional properties"),
    (lambda r: r["layers"].pop("landlock"), "'landlock' is a required property"),
    (lambda r: r["layers"]["caps"].update(active=False), "'reason' is a required property"),
    (lambda r: r["time"].update(cpu_s=-1), "less than the minimum"),
    (lambda r: r["events"][0].update(flavour="x"), "Additional properties"),
    (lambda r: r["events"][0].update(rule="filesystem.everything"), "events"),
    (lambda r: r["events"][0].update(action="allow"), "'allow' is not one of"),
    (lambda r: r["events"][0].update(would="deny"), "False schema"),
    (lambda r: r["events"][0].update(syscall="openat"), "False schema"),
    (lambda r: r["events"][0].update(argv=["ls", 1]), "is not of type 'string'"),
    (lambda r: r.update(usage={"max_tasks": 1, "max_open_files": 1}), "False schema"),
])
def test_a_broken_report_fails(reports, mutate, says):
    r = copy.deepcopy(reports["enforce"])
    mutate(r)
    msg = fails(r)
    assert says in msg, msg
    # The same report inside a batch result line fails that too.
    assert says in fails(result_line(r), "batch_result")


def test_operand_fields_are_optional_event_fields(reports):
    r = copy.deepcopy(reports["enforce"])
    r["events"][0].update(path="/etc/x", path2="/etc/y", addr="127.0.0.1:80", module="ctypes",
                          program="/bin/sh", argv=["sh", "-c", "ls"])
    assert report_schema.problems(r) == []


def test_event_rules_and_audit_only_shape(reports):
    r = copy.deepcopy(reports["enforce"])
    r["events"][0]["rule"] = "events[12]"
    assert report_schema.problems(r) == []
    r["events"][0]["rule"] = "events[012]"
    assert report_schema.problems(r)
    a = copy.deepcopy(reports["audit_only"])
    del a["usage"]
    assert "'usage' is a required property" in fails(a)
    a = copy.deepcopy(reports["audit_only"])
    a["events"][0]["action"] = "deny"
    assert "'log' was expected" in fails(a)


def test_a_report_of_a_run_that_never_started_is_internal(reports):
    r = copy.deepcopy(reports["never_started"])
    r["status"] = "error"
    assert "'internal' was expected" in fails(r)


def test_a_broken_batch_result_line_fails(reports):
    line = result_line(reports["enforce"])
    for mutate, says in [
        (lambda l: l.update(score=3), "Additional properties"),
        (lambda l: l.pop("stderr"), "'stderr' is a dependency of 'stdout'"),
        (lambda l: l.update(interrupted=False), "True was expected"),
        (lambda l: l["stdout"].update(tail="x"), "Additional properties"),
        (lambda l: l.update(line=0), "less than the minimum"),
    ]:
        bad = copy.deepcopy(line)
        mutate(bad)
        assert says in fails(bad, "batch_result")
    # A malformed job line: id null, no streams, the never-started report.
    report_schema.check_batch_result({"id": None, "line": 7, "report": reports["never_started"]})
    report_schema.check_batch_result({"id": "x", "line": 7, "report": None})


def test_the_suites_scan_fails_on_a_broken_report(reports, tmp_path):
    # What the e2e and python conftests run after every test.
    (tmp_path / "sub").mkdir()
    good = tmp_path / "sub" / "r.json"
    good.write_text(json.dumps(reports["enforce"]))
    (tmp_path / "policy.json").write_text('{"version": 1}')      # not a report: ignored
    (tmp_path / "results.jsonl").write_text(json.dumps(result_line(reports["enforce"])) + "\n")
    os.mkfifo(tmp_path / "fifo.json")                           # never opened
    (tmp_path / "link.json").symlink_to(good)                   # never followed
    assert report_schema.check_tree(tmp_path) == 2
    bad = copy.deepcopy(reports["enforce"])
    bad["summary"]["new_count"] = 1
    (tmp_path / "sub" / "r2.json").write_text(json.dumps(bad))
    with pytest.raises(AssertionError, match="new_count"):
        report_schema.check_tree(tmp_path)


def test_rule_names_are_the_registrys():
    doc = report_schema.schema()
    names = set(doc["$defs"]["rule"]["anyOf"][0]["enum"])
    table = (report_schema.REPO / "docs" / "rules.md").read_text()
    registry = set(re.findall(r"^\| `([a-z_.]+)` \|", table, re.M))
    assert registry, "no rule in docs/rules.md"
    assert names == registry, (
        "docs/report.schema.json $defs/rule must list exactly the rules of docs/rules.md: "
        f"add {sorted(registry - names)}, remove {sorted(names - registry)}")
