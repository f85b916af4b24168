"""Policy: a sandboxpy policy from a built-in name, a file or a Python
document, and PolicyBuilder to write one in typed calls. Validation is the
CLI's (--check-policy), so the wrapper never disagrees with the binary."""

from __future__ import annotations

import copy
import json
import os
import tempfile
from contextlib import contextmanager
from enum import Enum
from typing import (Any, Dict, Iterable, Iterator, List, Literal, Mapping,
                    Optional, Sequence, Tuple, Union)

from ._cli import (EXIT_SANDBOXPY_FAILED, Overrides, StrPath, call,
                   diagnostics_or_usage, find_executable, override_args)
from ._errors import SandboxpyError

Action = Literal["allow", "log", "deny", "kill"]
OnViolation = Literal["deny", "kill"]
Extensions = Union[Literal["stdlib", "any"], Sequence[str]]
JSONDict = Dict[str, Any]

_DOC_FILE = "policy.json"


class Policy:
    """A policy to run under. Make one with Policy.builtin("grading"),
    Policy.from_file("policy.json"), Policy.from_dict({...}),
    Policy.from_json(text), Policy.load("builtin:NAME" or a path) or
    Policy.build()...build(). Nothing is checked until check() or run()."""

    __slots__ = ("_kind", "_value")

    def __init__(self, kind: str, value: Union[str, JSONDict]) -> None:
        if kind not in ("builtin", "file", "document"):
            raise ValueError(f"unknown policy kind {kind!r}")
        self._kind = kind
        self._value = value

    # ---- making one ----
    @classmethod
    def builtin(cls, name: str) -> "Policy":
        """A policy compiled into sandboxpy: default, strict, grading, plugin."""
        if name.startswith("builtin:"):
            name = name[len("builtin:"):]
        return cls("builtin", name)

    @classmethod
    def from_file(cls, path: StrPath) -> "Policy":
        """A policy file; read by sandboxpy at each use, so its diagnostics
        name the file, line and column."""
        return cls("file", os.path.abspath(os.fspath(path)))

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> "Policy":
        """A policy document as Python data (deep-copied)."""
        if not isinstance(doc, Mapping):
            raise TypeError(f"a policy document is a mapping, got {type(doc).__name__}")
        return cls("document", copy.deepcopy(dict(doc)))

    @classmethod
    def from_json(cls, text: str) -> "Policy":
        """A policy document as JSON text; a JSON syntax error raises
        ValueError here, everything else is sandboxpy's to check."""
        doc = json.loads(text)
        if not isinstance(doc, dict):
            raise ValueError("a policy document is a JSON object")
        return cls("document", doc)

    @classmethod
    def load(cls, spec: Union[StrPath, "Policy", Mapping[str, Any]]) -> "Policy":
        """What run(policy=...) accepts: a Policy, a mapping, "builtin:NAME",
        or a file path (str or os.PathLike)."""
        if isinstance(spec, Policy):
            return spec
        if isinstance(spec, Mapping):
            return cls.from_dict(spec)
        s = os.fspath(spec)
        if s.startswith("builtin:"):
            return cls.builtin(s)
        return cls.from_file(s)

    @staticmethod
    def build(name: Optional[str] = None) -> "PolicyBuilder":
        """A typed builder: Policy.build("grader").read(".").limits(cpu_seconds=2).build()."""
        return PolicyBuilder(name)

    # ---- looking at it ----
    @property
    def kind(self) -> str:
        """"builtin", "file" or "document"."""
        return self._kind

    @property
    def source(self) -> str:
        """"builtin:NAME", the file's absolute path, or "<document>"."""
        if self._kind == "builtin":
            return f"builtin:{self._value}"
        if self._kind == "file":
            return str(self._value)
        return "<document>"

    def __repr__(self) -> str:
        if self._kind == "document":
            return f"Policy.from_dict({self._value!r})"
        return f"Policy.load({self.source!r})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Policy) and self._kind == other._kind
                and self._value == other._value)

    def __hash__(self) -> int:
        return hash((self._kind, json.dumps(self._value, sort_keys=True)))

    def to_dict(self, *, executable: Optional[StrPath] = None) -> JSONDict:
        """The document as written: the mapping, the file's JSON, or the
        built-in policy as sandboxpy prints it (--show-policy)."""
        if self._kind == "document":
            assert isinstance(self._value, dict)
            return copy.deepcopy(self._value)
        if self._kind == "file":
            with open(str(self._value), encoding="utf-8") as f:
                doc = json.load(f)
            if not isinstance(doc, dict):
                raise ValueError(f"{self._value}: a policy document is a JSON object")
            return doc
        return self.show(executable=executable)

    def to_json(self, indent: Optional[int] = 2, *,
                executable: Optional[StrPath] = None) -> str:
        """to_dict() as JSON text; a file policy is returned as its text."""
        if self._kind == "file":
            with open(str(self._value), encoding="utf-8") as f:
                return f.read()
        return json.dumps(self.to_dict(executable=executable), indent=indent) + "\n"

    # ---- asking sandboxpy ----
    @contextmanager
    def materialize(self) -> Iterator[Tuple[str, Optional[Tuple[str, str]]]]:
        """The --policy argument for this policy, valid inside the block:
        a document is written to a private temporary file. The second item
        maps that file's path to the name diagnostics should show."""
        if self._kind == "builtin":
            yield f"builtin:{self._value}", None
            return
        if self._kind == "file":
            yield str(self._value), None
            return
        with tempfile.TemporaryDirectory(prefix="sandboxpy-policy-") as d:
            yield self.write_to(d), (os.path.join(d, _DOC_FILE), _DOC_FILE)

    def write_to(self, directory: str) -> str:
        """Writes a document policy as DIRECTORY/policy.json, returns the path."""
        path = os.path.join(directory, _DOC_FILE)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self._value, f, indent=2)
            f.write("\n")
        return path

    def _policy_cmd(self, head: List[str], spec: str, *, cwd: Optional[StrPath],
                    overrides: Overrides) -> List[str]:
        argv = head + [spec]
        if cwd is not None:
            argv += ["-C", os.path.abspath(os.fspath(cwd))]
        return argv + override_args(overrides)

    def check(self, *, cwd: Optional[StrPath] = None, set: Overrides = None,
              executable: Optional[StrPath] = None) -> None:
        """Validates with `sandboxpy --check-policy`; relative paths resolve
        against cwd (default: the current directory). Raises PolicyError
        with every diagnostic when the policy is invalid."""
        exe = find_executable(executable)
        with self.materialize() as (spec, rename):
            done = call(self._policy_cmd([exe, "--check-policy"], spec, cwd=cwd,
                                         overrides=set))
        if done.returncode == 0:
            return
        if done.returncode == EXIT_SANDBOXPY_FAILED:
            raise diagnostics_or_usage(done, rename)
        raise SandboxpyError(done.stderr_text.strip() or f"exit status {done.returncode}",
                             returncode=done.returncode, stderr=done.stderr_text)

    def show(self, *, cwd: Optional[StrPath] = None,
             executable: Optional[StrPath] = None) -> JSONDict:
        """The policy with every default filled in and paths resolved
        (`sandboxpy --show-policy`), as sandboxpy will enforce it."""
        exe = find_executable(executable)
        with self.materialize() as (spec, rename):
            done = call(self._policy_cmd([exe, "--show-policy"], spec, cwd=cwd,
                                         overrides=None))
        if done.returncode == EXIT_SANDBOXPY_FAILED:
            raise diagnostics_or_usage(done, rename)
        if done.returncode != 0:
            raise SandboxpyError(done.stderr_text.strip(), returncode=done.returncode,
                                 stderr=done.stderr_text)
        doc = json.loads(done.stdout_text)
        if not isinstance(doc, dict):
            raise SandboxpyError("sandboxpy --show-policy did not print an object")
        return doc

    def explain(self, *, cwd: Optional[StrPath] = None,
                executable: Optional[StrPath] = None) -> str:
        """What the policy allows and denies and what each layer enforces,
        in plain words (`sandboxpy --explain`)."""
        exe = find_executable(executable)
        with self.materialize() as (spec, rename):
            argv = [exe, "--explain", "--policy", spec]
            if cwd is not None:
                argv[1:1] = ["-C", os.path.abspath(os.fspath(cwd))]
            done = call(argv)
        if done.returncode == EXIT_SANDBOXPY_FAILED:
            raise diagnostics_or_usage(done, rename)
        if done.returncode != 0:
            raise SandboxpyError(done.stderr_text.strip(), returncode=done.returncode,
                                 stderr=done.stderr_text)
        text = done.stdout_text
        return text.replace(rename[0], rename[1]) if rename is not None else text


class _Unset(Enum):
    UNSET = 0


_UNSET = _Unset.UNSET
Limit = Union[float, int, None, _Unset]


class PolicyBuilder:
    """Builds a policy document section by section. Each method returns the
    builder. Lists (read, write, connect, ...) start empty and grow with each
    call; a section never touched keeps sandboxpy's default (policy.md), so
    read() replaces the default ["."]: name "." yourself if you want it."""

    def __init__(self, name: Optional[str] = None) -> None:
        self._doc: JSONDict = {"version": 1}
        if name is not None:
            self._doc["name"] = name

    def _section(self, key: str) -> JSONDict:
        sec = self._doc.setdefault(key, {})
        assert isinstance(sec, dict)
        return sec

    def _extend(self, section: str, key: str, items: Iterable[Any]) -> "PolicyBuilder":
        lst = self._section(section).setdefault(key, [])
        assert isinstance(lst, list)
        lst.extend(os.fspath(i) if isinstance(i, os.PathLike) else i for i in items)
        return self

    def name(self, name: str) -> "PolicyBuilder":
        self._doc["name"] = name
        return self

    def python(self, *, site: Optional[bool] = None, path: Iterable[StrPath] = (),
               env: Optional[Mapping[str, str]] = None) -> "PolicyBuilder":
        sec = self._section("python")
        if site is not None:
            sec["site"] = site
        paths = [os.fspath(p) for p in path]
        if paths:
            sec.setdefault("path", []).extend(paths)
        if env is not None:
            sec.setdefault("env", {}).update(env)
        return self

    def read(self, *paths: StrPath) -> "PolicyBuilder":
        return self._extend("filesystem", "read", paths)

    def write(self, *paths: StrPath) -> "PolicyBuilder":
        return self._extend("filesystem", "write", paths)

    def tmp(self, enabled: bool = True) -> "PolicyBuilder":
        self._section("filesystem")["tmp"] = enabled
        return self

    def connect(self, *addresses: str) -> "PolicyBuilder":
        """host:port destinations ("127.0.0.1:8000", "[::1]:*")."""
        return self._extend("network", "connect", addresses)

    def bind(self, *addresses: str) -> "PolicyBuilder":
        return self._extend("network", "bind", addresses)

    def dns(self, enabled: bool = True) -> "PolicyBuilder":
        self._section("network")["dns"] = enabled
        return self

    def spawn(self, *exec_allow: StrPath) -> "PolicyBuilder":
        """Allows starting programs; with paths, only those executables."""
        self._section("process")["spawn"] = True
        return self._extend("process", "exec_allow", exec_allow)

    def signal_others(self, enabled: bool = True) -> "PolicyBuilder":
        self._section("process")["signal_others"] = enabled
        return self

    def ctypes(self, enabled: bool = True) -> "PolicyBuilder":
        self._section("native")["ctypes"] = enabled
        return self

    def extensions(self, allowed: Extensions) -> "PolicyBuilder":
        self._section("native")["extensions"] = (allowed if isinstance(allowed, str)
                                                 else list(allowed))
        return self

    def deny_imports(self, *modules: str) -> "PolicyBuilder":
        return self._extend("imports", "deny", modules)

    def code(self, *, compile: Optional[Action] = None, exec: Optional[Action] = None,
             introspection: Optional[Action] = None,
             tracing: Optional[Action] = None) -> "PolicyBuilder":
        sec = self._section("code")
        for key, val in (("compile", compile), ("exec", exec),
                         ("introspection", introspection), ("tracing", tracing)):
            if val is not None:
                sec[key] = val
        return self

    def event(self, name: str, action: Action, *,
              unless_arg: Optional[Tuple[int, Sequence[str]]] = None) -> "PolicyBuilder":
        """A rule for one audit event, e.g. event("app.plugin.load", "deny",
        unless_arg=(0, ["trusted"])). Rules apply in the order added."""
        return self._rule({"event": name}, action, unless_arg)

    def event_prefix(self, prefix: str, action: Action, *,
                     unless_arg: Optional[Tuple[int, Sequence[str]]] = None) -> "PolicyBuilder":
        return self._rule({"prefix": prefix}, action, unless_arg)

    def _rule(self, rule: JSONDict, action: Action,
              unless_arg: Optional[Tuple[int, Sequence[str]]]) -> "PolicyBuilder":
        rule["action"] = action
        if unless_arg is not None:
            rule["unless_arg"] = {"index": unless_arg[0], "in": list(unless_arg[1])}
        rules = self._doc.setdefault("events", [])
        assert isinstance(rules, list)
        rules.append(rule)
        return self

    def limits(self, *, cpu_seconds: Limit = _UNSET, wall_seconds: Limit = _UNSET,
               memory_mb: Limit = _UNSET, tasks: Union[int, None, _Unset] = _UNSET,
               open_files: Union[int, None, _Unset] = _UNSET,
               file_size_mb: Limit = _UNSET, stack_mb: Limit = _UNSET,
               extra_seconds: Union[float, _Unset] = _UNSET) -> "PolicyBuilder":
        """Only the limits named change; None means unlimited
        (extra_seconds, the grace past cpu and wall, cannot be None)."""
        sec = self._section("limits")
        for key, val in (("cpu_seconds", cpu_seconds), ("wall_seconds", wall_seconds),
                         ("memory_mb", memory_mb), ("tasks", tasks),
                         ("open_files", open_files), ("file_size_mb", file_size_mb),
                         ("stack_mb", stack_mb), ("extra_seconds", extra_seconds)):
            if val is not _UNSET:
                sec[key] = val
        return self

    def on_violation(self, what: OnViolation) -> "PolicyBuilder":
        self._doc["on_violation"] = what
        return self

    def to_dict(self) -> JSONDict:
        return copy.deepcopy(self._doc)

    def build(self) -> Policy:
        return Policy("document", self.to_dict())
