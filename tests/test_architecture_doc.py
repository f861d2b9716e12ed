"""docs/architecture.md names every module of sro_graph (issue 16), so its map stays true."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "sro_graph"


def test_the_architecture_page_names_every_module() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    modules = [
        path.relative_to(PACKAGE).as_posix()
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).as_posix() != "web/__init__.py"  # an empty package marker
    ]
    missing = [m for m in modules if f"- `{m}`:" not in page]
    assert not missing, f"add a line (its one job) to docs/architecture.md for: {missing}"
