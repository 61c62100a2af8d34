"""`contracts diff OLD [NEW]`: files and git refs, text and JSON, exit codes 0/1/2."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from contracts.cli import main
from contracts.spec import DEFAULT_SPEC_PATH as SPEC


def breaking_copy(folder: Path) -> Path:
    """The real spec with one request enum value removed (WindowType MAX)."""
    raw = json.loads(SPEC.read_text())
    raw["components"]["schemas"]["WindowType"]["enum"].remove("MAX")
    file = folder / "new.json"
    file.write_text(json.dumps(raw, indent=2))
    return file


def test_breaking_change_exits_one_and_names_the_pointer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(SPEC), str(breaking_copy(tmp_path))]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        "BREAKING enum-value-removed /components/schemas/WindowType/enum/1: "
        "WindowType: value 'MAX' removed (clients may send it)"
    )
    assert out[-1] == "1 breaking, 0 non-breaking change(s)"


def test_same_spec_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SPEC), str(SPEC)]) == 0
    assert capsys.readouterr().out == "0 breaking, 0 non-breaking change(s)\n"


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", str(SPEC), str(breaking_copy(tmp_path)), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["breaking"] == 1
    assert data["changes"][0]["kind"] == "enum-value-removed"
    assert data["changes"][0]["pointer"] == "/components/schemas/WindowType/enum/1"


def test_new_defaults_to_the_spec_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = breaking_copy(tmp_path)
    assert main(["--spec", str(new), "diff", str(SPEC)]) == 1
    assert "WindowType" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_old_as_a_git_ref(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`contracts diff main` compares `git show main:spec/v3.json` with the working spec."""
    (tmp_path / "spec").mkdir()
    working = tmp_path / "spec" / "v3.json"
    shutil.copy(SPEC, working)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q", "-b", "main"], ["add", "spec/v3.json"], ["commit", "-q", "-m", "spec"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True, capture_output=True)
    assert main(["--spec", str(working), "diff", "main"]) == 0
    shutil.copy(breaking_copy(tmp_path), working)
    capsys.readouterr()
    assert main(["--spec", str(working), "diff", "main"]) == 1
    assert "BREAKING enum-value-removed" in capsys.readouterr().out
    assert main(["--spec", str(working), "diff", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert "'no-such-branch' is neither a file nor a git ref holding spec/v3.json" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-ref-xyz"], "neither a file nor a git ref"),
        (["{bad}", "{bad}"], "neither a file nor a git ref"),
    ],
)
def test_bad_ref_exits_two_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", *args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_malformed_side_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  nope")
    assert main(["diff", str(bad), str(SPEC)]) == 2
    assert "bad.json:2:3: malformed JSON" in capsys.readouterr().err


def test_outside_a_git_checkout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "v3.json"
    shutil.copy(SPEC, outside)
    assert main(["--spec", str(outside), "diff", "main"]) == 2
    assert "not in a git checkout" in capsys.readouterr().err
