"""Targets beside figures: one line per target, with "met" or "missed" (issue 17.4).

Every bench module prints its targets through :func:`verdict`, so ``make bench`` reads the
same everywhere::

    from bench.targets import verdict
    verdict("point lookups, service / raw", 0.83, at_least=0.8, unit="x")
    verdict("one validation p95", 14.5, at_most=50, unit=" ms")
"""

from __future__ import annotations

import sys


def verdict(
    name: str,
    value: float,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    unit: str = "",
) -> bool:
    """Print ``name``, the measured ``value`` and the target, with met or missed; True if met."""
    if (at_least is None) == (at_most is None):
        raise ValueError("give exactly one of at_least and at_most")
    met = value >= at_least if at_least is not None else value <= at_most  # type: ignore[operator]
    target = f">= {at_least:g}{unit}" if at_least is not None else f"<= {at_most:g}{unit}"
    sys.stdout.write(
        f"target {name:<46} {value:>10.2f}{unit:<3} (target {target:>10})  "
        f"{'met' if met else 'MISSED'}\n"
    )
    sys.stdout.flush()
    return met
