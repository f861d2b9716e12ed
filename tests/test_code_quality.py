"""The code stays ruff clean, mypy-strict clean and within its import layers.

These run the same tools as `make check`, so CI (which runs `make test`) enforces them too.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def test_ruff_finds_nothing() -> None:
    result = _run(str(BIN / "ruff"), "check", "src", "tests", "bench", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_would_change_nothing() -> None:
    result = _run(str(BIN / "ruff"), "format", "--check", "src", "tests", "bench", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_finds_nothing() -> None:
    result = _run(str(BIN / "mypy"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_layers_are_kept() -> None:
    result = _run(str(BIN / "lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


_MEDIA_TYPE = re.compile(r"^(text|application|multipart|image|audio|video)/[\w.+*-]+")


def test_media_types_are_spelled_only_in_formats() -> None:
    """Issue 16: one table of media types (``formats.py``); no module spells its own."""
    found = []
    for path in sorted((ROOT / "src" / "sro_graph").rglob("*.py")):
        if path.name == "formats.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _MEDIA_TYPE.match(node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:40]}")
    assert not found, "media types outside formats.py:\n" + "\n".join(found)
