"""Benchmarks of sro-graph (``make bench`` = ``python -m bench``); not part of ``make test``."""
