"""Each side of a diff: a spec file, or the spec file as a git ref (``main``, ``origin/main``) has it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from contracts.errors import UsageError
from contracts.spec import Spec


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=cwd)
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc.strerror})", hint="give OLD as a file instead") from None


def load_side(ref: str, *, spec_path: Path) -> Spec:
    """The spec in the file ``ref``, or at ``spec_path`` in the git revision ``ref``."""
    file = Path(ref)
    if file.is_file():
        return Spec.from_path(file)
    where = spec_path.resolve()
    top = _git(["rev-parse", "--show-toplevel"], where.parent)
    if top.returncode != 0:
        raise UsageError(f"{ref!r} is neither a file nor a git ref (not in a git checkout)")
    root = Path(top.stdout.strip()).resolve()
    inner = where.relative_to(root).as_posix()
    shown = _git(["show", f"{ref}:{inner}"], root)
    if shown.returncode != 0:
        reason = shown.stderr.strip().splitlines()[0] if shown.stderr.strip() else None
        raise UsageError(f"{ref!r} is neither a file nor a git ref holding {inner}", hint=reason)
    return Spec.from_text(shown.stdout, path=Path(f"{ref}:{inner}"))
