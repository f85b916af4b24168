"""The report's JSON Schema (docs/report.schema.json) as the test suites use
it: every report and batch result line a test produces is checked against
it, so a field the code writes and the schema does not know (or a value of
the wrong type) fails the suite that produced it.

Debian's python3-jsonschema (4.10, Draft 2020-12) does the checking; a
missing module is an error, never a skip (scripts/install-deps installs it).
SBX_REPORT_SCHEMA names another copy of the schema (the installed one).
"""
import json
import os
import stat
from pathlib import Path

try:
    import jsonschema
except ImportError as e:    # pragma: no cover - the message is the point
    raise ImportError("the report schema needs python3-jsonschema "
                      "(apt-get install python3-jsonschema, or scripts/install-deps)") from e

REPO = Path(__file__).resolve().parents[2]
SCHEMA_PATH = Path(os.environ.get("SBX_REPORT_SCHEMA", REPO / "docs" / "report.schema.json"))

# Files a scan reads at most (a flood's --log is bounded at 32 MB).
_MAX_SCAN_BYTES = 64 << 20

_validators = {}


def schema():
    return json.loads(SCHEMA_PATH.read_text())


def validator(definition="report"):
    """A Draft 2020-12 validator of one of the schema's $defs, sharing the
    file's $defs (the root of the file is the report)."""
    v = _validators.get(definition)
    if v is None:
        doc = schema()
        jsonschema.Draft202012Validator.check_schema(doc)
        doc = dict(doc, **{"$ref": f"#/$defs/{definition}"})
        v = _validators[definition] = jsonschema.Draft202012Validator(doc)
    return v


def problems(doc, definition="report", limit=10):
    """The schema's complaints about doc, one line each ("$.path: message"),
    at most limit; empty when it validates."""
    out = []
    for e in sorted(validator(definition).iter_errors(doc), key=lambda e: list(e.absolute_path)):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
        msg = e.message if len(e.message) < 300 else e.message[:300] + "..."
        out.append(f"{where}: {msg}")
        if len(out) == limit:
            break
    return out


def _check(doc, definition, what):
    probs = problems(doc, definition)
    if probs:
        raise AssertionError(f"{what} does not match {SCHEMA_PATH} ($defs/{definition}):\n  "
                             + "\n  ".join(probs))
    return doc


def check_report(doc, what="report"):
    """doc (a parsed report), or AssertionError naming every problem."""
    return _check(doc, "report", what)


def check_batch_result(doc, what="batch result line"):
    """A parsed --batch result line; its report is checked on its own
    first, for messages that name the report's own field."""
    if isinstance(doc, dict) and isinstance(doc.get("report"), dict):
        check_report(doc["report"], f"{what}: its report")
    return _check(doc, "batch_result", what)


def check_event(doc, what="--log event"):
    return _check(doc, "event", what)


def check_log_line(doc, what="--log line"):
    """A --log line: an event, or the bounded log's own note."""
    if isinstance(doc, dict) and "note" in doc:
        return doc
    return check_event(doc, what)


def load_report(path):
    """Reads and checks a report file."""
    return check_report(json.loads(Path(path).read_text()), f"report {path}")


def _regular_files(root):
    for d, dirs, files in os.walk(root, onerror=lambda e: None):
        for n in files:
            p = os.path.join(d, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            # Never a FIFO, a device or a symlink a test planted.
            if stat.S_ISREG(st.st_mode) and st.st_size <= _MAX_SCAN_BYTES:
                yield Path(p)


def _json_lines(path):
    for no, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        try:
            yield no, json.loads(line)
        except ValueError:
            return      # not a JSON-lines file of ours


def check_tree(root):
    """Checks every report (*.json with report_version), batch result line
    and --log event (*.jsonl) left under root; returns how many."""
    n = 0
    for p in _regular_files(root):
        if p.suffix == ".json":
            try:
                doc = json.loads(p.read_text())
            except (OSError, ValueError):
                continue
            if isinstance(doc, dict) and "report_version" in doc:
                check_report(doc, f"report {p}")
                n += 1
        elif p.suffix == ".jsonl":
            for no, doc in _json_lines(p):
                if not isinstance(doc, dict):
                    break
                if "report" in doc and "line" in doc:
                    check_batch_result(doc, f"{p}:{no}")
                elif "seq" in doc and "layer" in doc or "note" in doc:
                    check_log_line(doc, f"{p}:{no}")
                else:
                    break
                n += 1
    return n
