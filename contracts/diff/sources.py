"""Each side of a diff: a spec file, or the spec file as a git revision (``main``, ``origin/main``) has it.

A ref is user input handed to git, so it never reaches git as an option: refs starting with
``-`` are refused, every ref is verified as a commit with ``git rev-parse --verify
--end-of-options REF^{commit}``, and only the verified commit id is passed to ``git show``.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.diff.shape import check_shape
from contracts.errors import SpecError, UsageError
from contracts.spec import Spec

GIT_TIMEOUT = 60.0


@dataclass(frozen=True)
class Side:
    """One version of the spec, and how to name its file in annotations (relative, as CI expects)."""

    spec: Spec
    uri: str
    text: str


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return str(path)


def parse(text: str, name: str) -> Spec:
    """The document in ``text``, its shape checked before it is indexed."""
    raw: Any
    if name.endswith((".yaml", ".yml")):
        import yaml

        try:
            raw = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecError(f"{name}: malformed YAML ({getattr(exc, 'problem', None) or exc})") from None
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply to read") from None
    else:
        if not text.strip():
            raise SpecError(f"{name}: empty file")
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"{name}:{exc.lineno}:{exc.colno}: malformed JSON ({exc.msg})") from None
        except RecursionError:
            raise SpecError(f"{name}: nested too deeply to read") from None
    try:
        check_shape(raw, name)
    except SpecError as exc:  # every line names the file it refuses (the old or the new side)
        if not exc.message.startswith(f"{name}:"):
            exc.message = f"{name}: {exc.message}"
        raise
    return Spec(raw, path=Path(name), text=text)


def load_file(path: Path) -> Side:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"{name}: no such spec file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{name}: cannot read spec ({exc.__class__.__name__})") from None
    return Side(parse(text, name), name, text)


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", *args],
            capture_output=True,
            check=False,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            env=env,
            timeout=GIT_TIMEOUT,
        )
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took more than {GIT_TIMEOUT:.0f} s") from None
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc.strerror})", hint="give OLD as a file instead") from None


def _first_line(result: subprocess.CompletedProcess[bytes]) -> str | None:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else None


def load_side(ref: str, *, spec_path: Path) -> Side:
    """The spec in the file ``ref``, or at ``spec_path`` in the git revision ``ref``."""
    file = Path(ref)
    if ref and file.is_file():
        return load_file(file)
    if not ref or ref.startswith("-") or any(ord(c) < 32 for c in ref):
        raise UsageError(f"{ref!r} is neither a file nor a git ref (a ref never starts with '-')")
    where = spec_path.resolve()
    if not where.parent.is_dir():
        raise UsageError(f"{ref!r} is not a file, and {spec_path} is not in a git checkout")
    top = _git(["rev-parse", "--show-toplevel"], where.parent)
    if top.returncode != 0:
        raise UsageError(f"{ref!r} is neither a file nor a git ref (not in a git checkout)")
    root = Path(top.stdout.decode("utf-8", "replace").strip()).resolve()
    try:
        inner = where.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{spec_path} is not inside the git checkout {root}") from None
    verified = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root)
    commit = verified.stdout.decode("ascii", "replace").strip()
    if verified.returncode != 0 or not commit or not all(c in "0123456789abcdef" for c in commit):
        raise UsageError(
            f"{ref!r} is neither a file nor a git ref holding {inner} (no such commit in {root})"
        )
    shown = _git(["show", "--no-textconv", f"{commit}:{inner}"], root)
    if shown.returncode != 0:
        reason = _first_line(shown) or "git show failed"
        raise UsageError(f"{ref!r} is neither a file nor a git ref holding {inner} ({reason})")
    try:
        text = shown.stdout.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{ref}:{inner}: not UTF-8 text") from None
    return Side(parse(text, f"{ref}:{inner}"), inner, text)
