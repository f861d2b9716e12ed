"""A memo that keeps only what the last build used (issue 17.3: incremental catalogue builds).

Between :meth:`Memo.start` and :meth:`Memo.prune` a build asks for values by key; a key seen in
the previous build gives the previous value, and keys the build did not ask for are dropped at
the end, so the memo never holds more than one build's worth.
"""

from __future__ import annotations

__all__ = ["Memo"]

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Values by key, reused from one build to the next."""

    def __init__(self) -> None:
        self._values: dict[K, V] = {}
        self._used: set[K] = set()
        self.reused = 0
        self.made = 0

    def start(self) -> None:
        """A new build begins."""
        self._used.clear()
        self.reused = self.made = 0

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The value for ``key``: the previous build's, or ``make()``."""
        self._used.add(key)
        if key in self._values:
            self.reused += 1
            return self._values[key]
        self.made += 1
        value = self._values[key] = make()
        return value

    def clear(self) -> None:
        self._values.clear()
        self._used.clear()

    def prune(self) -> None:
        """The build is done: forget what it did not use (a build that asked for nothing,
        having reused a whole earlier answer, keeps everything)."""
        if not self._used:
            return
        for stale in [k for k in self._values if k not in self._used]:
            del self._values[stale]
