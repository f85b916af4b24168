#!/usr/bin/python3
"""gen-report-man.py: the REPORT section of sandboxpy(1), rendered from the
descriptions in docs/report.schema.json, so that the man page and the
schema say the same thing.

    tools/gen-report-man.py           rewrite docs/man/sandboxpy.1.scd in place
    tools/gen-report-man.py --check   exit 1 (a diff on stderr) when it differs

The section lies between the two marker comments in the .scd file. Python
3 standard library only (make report-man; ctest docs.man_report_in_sync).
"""
import difflib
import json
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "docs" / "report.schema.json"
PAGE = REPO / "docs" / "man" / "sandboxpy.1.scd"
BEGIN = "; BEGIN REPORT: generated from docs/report.schema.json by tools/gen-report-man.py"
END = "; END REPORT"

INTRO = """\
With *--report* _FILE_, and inside each *--batch* result line, sandboxpy
writes one JSON object when the run ends. Its JSON Schema (Draft 2020-12)
is installed as _/usr/share/sandboxpy/report.schema.json_ (under the prefix
sandboxpy was installed to): the schema's root is the report, its
*$defs/batch\\_result* a result line. This section is generated from it.
Objects have exactly the fields listed; more may be added in later
versions, with the schema."""


def esc(text):
    """scdoc text: its formatting characters taken literally."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def paragraph(text, indent=""):
    """Wrapped lines; none starts with a character roff takes for a request
    or scdoc for a list (such a line is kept on the line before)."""
    lines = []
    for line in textwrap.wrap(text, 72 - len(indent.expandtabs()), break_on_hyphens=False,
                              break_long_words=False):
        if lines and line[0] in ".'-":
            lines[-1] += " " + line
        else:
            lines.append(line)
    return [indent + line for line in lines]


class Renderer:
    def __init__(self, schema):
        self.defs = schema["$defs"]
        self.expanded = {}      # $defs name -> the field it was listed under
        self.out = []

    def resolve(self, node):
        """node with its $ref's keywords under its own; and the $defs name."""
        ref = node.get("$ref")
        if not ref:
            return node, None
        name = ref.rsplit("/", 1)[1]
        base, _ = self.resolve(self.defs[name])
        merged = dict(base)
        merged.update({k: v for k, v in node.items() if k != "$ref"})
        return merged, name

    def kind(self, node):
        node, _ = self.resolve(node)
        if "const" in node:
            return json.dumps(node["const"])
        if "enum" in node:
            return " | ".join(str(v) for v in node["enum"])
        types = node.get("type")
        if types is None and "anyOf" in node:
            kinds = []
            for alt in node["anyOf"]:
                k = self.kind(alt)
                if k not in kinds:
                    kinds.append(k)
            return " or ".join(kinds)
        types = types if isinstance(types, list) else [types] if types else []
        words = []
        for t in types:
            if t == "array" and "items" in node:
                t = f"array of {self.kind(node['items'])}"
            elif t == "object" and isinstance(node.get("additionalProperties"), dict):
                t = f"object of {self.kind(node['additionalProperties'])}"
            words.append(t)
        return " or ".join(words) or "any JSON value"

    def fields_of(self, node):
        """The object whose fields a value lists (an array's item, the
        object alternative of "object or null"), and its $defs name."""
        own = "properties" in node
        node, name = self.resolve(node)
        if own:
            name = None     # its own fields (a $ref beside them only adds checks)
        if "items" in node and isinstance(node["items"], dict):
            inner, inner_name = self.resolve(node["items"])
            return (inner, inner_name) if "properties" in inner else (None, None)
        if "properties" in node:
            return node, name
        for alt in node.get("anyOf", []):
            inner, inner_name = self.resolve(alt)
            if "properties" in inner:
                return inner, inner_name
        return None, None

    def field(self, path, node):
        full, _ = self.resolve(node)
        desc = esc(node.get("description") or full.get("description", ""))
        if not desc:
            sys.exit(f"gen-report-man: {SCHEMA}: {path} has no description")
        obj, name = self.fields_of(node)
        if obj is not None and name in self.expanded:
            desc += f" Fields as *{esc(self.expanded[name])}*."
            obj = None
        self.out += [f"*{esc(path)}* ({esc(self.kind(node))})", *paragraph(desc, "\t"), ""]
        if obj is not None:
            if name:
                self.expanded[name] = path
            sep = "[]." if "items" in full else "."
            self.fields(path + sep, obj)

    def fields(self, prefix, obj):
        for key, sub in obj["properties"].items():
            self.field(prefix + key, sub)

    def render(self):
        self.expanded["report"] = "REPORT"
        self.out += ["# REPORT", "", INTRO, "", *paragraph(esc(self.defs["report"]["description"])), ""]
        self.fields("", self.defs["report"])
        self.out += ["## Batch result lines", "",
                     *paragraph(esc(self.defs["batch_result"]["description"])), ""]
        self.fields("", self.defs["batch_result"])
        while self.out[-1] == "":
            self.out.pop()
        return "\n".join(self.out) + "\n"


def page_with(section, page):
    head, sep, rest = page.partition(BEGIN + "\n")
    old, sep2, tail = rest.partition(END + "\n")
    if not sep or not sep2:
        sys.exit(f"gen-report-man: {PAGE}: the markers '{BEGIN}' and '{END}' are missing")
    return head + BEGIN + "\n" + section + END + "\n" + tail


def main(argv):
    section = Renderer(json.loads(SCHEMA.read_text())).render()
    page = PAGE.read_text()
    new = page_with(section, page)
    if argv[1:] == ["--check"]:
        if new != page:
            sys.stderr.writelines(difflib.unified_diff(
                page.splitlines(True), new.splitlines(True), str(PAGE), "generated"))
            print("gen-report-man: the REPORT section differs from docs/report.schema.json; "
                  "run make report-man", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    if new != page:
        PAGE.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
