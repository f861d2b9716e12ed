"""sro-graph: the linked-data knowledge graph of the Flemish Smart Region Office."""

from sro_graph.config import Settings, get_settings

__all__ = ["Settings", "__version__", "get_settings"]

__version__ = "0.1.0"
