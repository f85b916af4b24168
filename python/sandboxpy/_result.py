"""Result and Event: the run report (report.md, version 1) as typed,
read-only dataclasses, plus what the wrapper captured around it (the
program's standard output and error, sandboxpy's own lines)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from ._errors import RunError

JSONDict = Dict[str, Any]


def _opt_int(v: Any) -> Optional[int]:
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _opt_str(v: Any) -> Optional[str]:
    return v if isinstance(v, str) else None


def _num(v: Any) -> float:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0


@dataclass(frozen=True)
class Event:
    """One recorded event: a denial, a `log` action or a kill.
    `layer` is "audit", "seccomp" or "landlock"; audit events have `event`,
    seccomp ones `syscall`; `name` is whichever is set. The operands say
    what was judged, as data: `path` (and `path2` for a rename, copy or
    link), `addr` ("host:port"), `module`, `program` and its `argv`; each
    is None when the event has none."""

    seq: int
    t: float
    layer: str
    action: str
    rule: Optional[str]
    event: Optional[str]
    syscall: Optional[str]
    args: Tuple[Any, ...]
    where: Optional[str]
    pid: Optional[int]
    detail: Optional[str]
    bypass: bool
    raw: JSONDict = field(repr=False, compare=False)
    path: Optional[str] = None
    path2: Optional[str] = None
    addr: Optional[str] = None
    module: Optional[str] = None
    program: Optional[str] = None
    argv: Optional[Tuple[str, ...]] = None

    @property
    def name(self) -> str:
        return self.event or self.syscall or ""

    @classmethod
    def from_report(cls, d: Mapping[str, Any]) -> "Event":
        args = d.get("args")
        return cls(
            seq=_opt_int(d.get("seq")) or 0,
            t=_num(d.get("t")),
            layer=str(d.get("layer", "")),
            action=str(d.get("action", "")),
            rule=_opt_str(d.get("rule")),
            event=_opt_str(d.get("event")),
            syscall=_opt_str(d.get("syscall")),
            args=tuple(args) if isinstance(args, list) else (),
            where=_opt_str(d.get("where")),
            pid=_opt_int(d.get("pid")),
            detail=_opt_str(d.get("detail")),
            bypass=d.get("bypass") is True,
            raw=dict(d),
            path=_opt_str(d.get("path")),
            path2=_opt_str(d.get("path2")),
            addr=_opt_str(d.get("addr")),
            module=_opt_str(d.get("module")),
            program=_opt_str(d.get("program")),
            argv=(tuple(str(a) for a in d["argv"]) if isinstance(d.get("argv"), list) else None),
        )


@dataclass(frozen=True)
class Summary:
    """report["summary"]: counts, and what ended the run for a kill."""

    denied: int
    logged: int
    bypass: int
    events_dropped: int
    killed_by: Optional[JSONDict]

    @classmethod
    def from_report(cls, d: Mapping[str, Any]) -> "Summary":
        kb = d.get("killed_by")
        return cls(
            denied=_opt_int(d.get("denied")) or 0,
            logged=_opt_int(d.get("logged")) or 0,
            bypass=_opt_int(d.get("bypass")) or 0,
            events_dropped=_opt_int(d.get("events_dropped")) or 0,
            killed_by=dict(kb) if isinstance(kb, dict) else None,
        )


@dataclass(frozen=True)
class Result:
    """How one sandboxed run ended.

    status: "ok", "error", "timeout", "memory", "output", "violation" or
    "signal" (report.md); "internal" never reaches a Result, run() raises.
    returncode is what the sandboxpy CLI exited with (cli.md: the program's
    own status, 124, 126, 128+N). stdout/stderr are the program's own
    streams; messages are sandboxpy's lines (denials, summary)."""

    status: str
    message: str
    exit_code: Optional[int]
    signal: Optional[int]
    cpu_s: float
    wall_s: float
    max_rss_kb: int
    events: Tuple[Event, ...]
    summary: Summary
    policy_name: Optional[str]
    errors: Tuple[str, ...]
    returncode: int
    stdout_bytes: bytes = field(repr=False)
    stderr_bytes: bytes = field(repr=False)
    messages: Tuple[str, ...] = field(repr=False)
    argv: Tuple[str, ...] = field(repr=False)
    report: JSONDict = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def stdout(self) -> str:
        return self.stdout_bytes.decode("utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_bytes.decode("utf-8", errors="replace")

    @property
    def layers(self) -> JSONDict:
        v = self.report.get("layers")
        return v if isinstance(v, dict) else {}

    def denials(self, rule: Optional[str] = None) -> Tuple[Event, ...]:
        """Events whose action was deny or kill, optionally of one rule."""
        return tuple(e for e in self.events
                     if e.action in ("deny", "kill") and (rule is None or e.rule == rule))

    def check(self) -> "Result":
        """Returns self when status is "ok", else raises RunError."""
        if not self.ok:
            raise RunError(self)
        return self

    @classmethod
    def from_report(cls, report: Mapping[str, Any], *, returncode: int,
                    stdout: bytes = b"", stderr: bytes = b"",
                    messages: Sequence[str] = (),
                    argv: Sequence[str] = ()) -> "Result":
        t = report.get("time")
        t = t if isinstance(t, dict) else {}
        pol = report.get("policy")
        pol = pol if isinstance(pol, dict) else {}
        evs = report.get("events")
        errs = report.get("errors")
        summ = report.get("summary")
        return cls(
            status=str(report.get("status", "")),
            message=str(report.get("message", "")),
            exit_code=_opt_int(report.get("exit_code")),
            signal=_opt_int(report.get("signal")),
            cpu_s=_num(t.get("cpu_s")),
            wall_s=_num(t.get("wall_s")),
            max_rss_kb=_opt_int(report.get("max_rss_kb")) or 0,
            events=tuple(Event.from_report(e) for e in evs if isinstance(e, dict))
            if isinstance(evs, list) else (),
            summary=Summary.from_report(summ if isinstance(summ, dict) else {}),
            policy_name=_opt_str(pol.get("name")),
            errors=tuple(str(e) for e in errs) if isinstance(errs, list) else (),
            returncode=returncode,
            stdout_bytes=stdout,
            stderr_bytes=stderr,
            messages=tuple(messages),
            argv=tuple(argv),
            report=dict(report),
        )
