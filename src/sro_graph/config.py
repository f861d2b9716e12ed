"""Settings: one pydantic-settings class read from the environment (prefix ``SRO_``).

There is no module-level settings object: the CLI calls :func:`get_settings`, tests build
``Settings(...)`` and pass it to ``create_app``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, TypeAdapter, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/``."""


def hash_token(token: str) -> str:
    """The stored form of a steward token: ``sha256:<hex>``; tokens themselves are never kept."""
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Every knob of the service, with its default and what it is for."""

    model_config = SettingsConfigDict(env_prefix="SRO_", extra="forbid", env_file=None)

    base_uri: str = Field(
        default="http://127.0.0.1:8000",
        description="Base of every minted URI ({base}/id/..., {base}/ns/...); absolute, no "
        "trailing slash. Also the public URL used for absolute links (catalogue, paging).",
    )
    store: str = Field(
        default="./var/store",
        description="Where the graph lives: a directory (embedded pyoxigraph on disk), "
        "'memory', or 'sparql+http(s)://host/query' for a remote SPARQL 1.1 store.",
    )
    store_update: str | None = Field(
        default=None,
        description="Update endpoint of a remote store; defaults to the query endpoint.",
    )
    store_user: str | None = Field(default=None, description="User for a remote store.")
    store_password: SecretStr | None = Field(
        default=None, description="Password for a remote store (HTTP basic auth)."
    )
    store_timeout_s: float = Field(
        default=60.0, gt=0, description="Time limit of one call to a remote store."
    )
    store_kind: Literal["auto", "oxigraph", "virtuoso", "generic"] = Field(
        default="auto",
        description="Kind of remote store (how it differs from plain SPARQL 1.1); 'auto' reads "
        "the store's Server header.",
    )
    store_graph_store: str | None = Field(
        default=None,
        description="Graph Store Protocol endpoint of a remote store, for writes too large for "
        "one update operation (Virtuoso); by default the kind's usual path.",
    )
    load_base_knowledge: bool = Field(
        default=True,
        description="Load ontology/, shapes and data/ into their named graphs at start "
        "(idempotent: unchanged files are not rewritten).",
    )
    load_examples: bool = Field(
        default=False,
        description="Also load the illustrative example initiatives of data/voorbeelden/ (into "
        "graphs under {base}/graph/voorbeelden/). Off by default: examples are fictional, every "
        "answer that can contain them is flagged, and they are never published in the catalogue.",
    )
    query_timeout_s: float = Field(
        default=30.0, gt=0, le=3600, description="Time limit of one SPARQL query."
    )
    query_row_cap: int = Field(
        default=10_000,
        gt=0,
        description="Most rows (or triples) a query returns; more are cut "
        "and the cut is signalled.",
    )
    query_concurrency: int = Field(
        default=4, gt=0, le=64, description="Queries that may run at once; more get 503."
    )
    query_queue_s: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long a query waits for a free slot before the answer is 503 "
        "with Retry-After (0: refuse at once).",
    )
    sparql_allowlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="IRI prefixes that SERVICE, LOAD and FROM may name (comma separated). "
        "Empty: none.",
    )
    max_body_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="Largest request body accepted (413 above)."
    )
    validation_timeout_s: float = Field(
        default=30.0, gt=0, description="Time limit of one SHACL validation."
    )
    validation_workers: int = Field(
        default=2,
        gt=0,
        le=32,
        description="Processes that run SHACL validation of anonymous /validate uploads "
        "(at a lower CPU priority).",
    )
    validation_steward_workers: int = Field(
        default=1,
        gt=0,
        le=32,
        description="Processes that validate steward submissions only, so that anonymous "
        "/validate uploads cannot starve them.",
    )
    catalog_refresh_s: float = Field(
        default=2.0,
        ge=0,
        le=3600,
        description="A catalogue built less than this many seconds ago is served although "
        "the graph changed since, so harvests stay fast under a stream of writes "
        "(0: always current).",
    )
    steward_token_hashes: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Hashes ('sha256:<hex>', see `sro-graph token-hash`) of the bearer tokens "
        "that may write submissions (comma separated).",
    )
    steward_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the steward (write) API from a browser.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Logging level."
    )
    log_format: Literal["text", "json"] = Field(default="text", description="Log line format.")
    project_root: Path = Field(
        default=PROJECT_ROOT,
        description="Folder holding ontology/, shapes/, data/ and queries/.",
    )

    @field_validator(
        "sparql_allowlist", "steward_token_hashes", "steward_cors_origins", mode="before"
    )
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("base_uri")
    @classmethod
    def _absolute_base(cls, value: str) -> str:
        TypeAdapter(AnyHttpUrl).validate_python(value)
        if value.endswith("/") or "#" in value or "?" in value:
            raise ValueError("base_uri must be absolute, without a trailing slash, '#' or '?'")
        if value.split("://", 1)[1].count("/"):
            # Base files are written with host-relative IRIs (</id/...>), docs/model.md.
            raise ValueError("base_uri is a scheme and host (and port) only, without a path")
        return value

    @field_validator("steward_token_hashes")
    @classmethod
    def _hashes_not_tokens(cls, value: list[str]) -> list[str]:
        for item in value:
            digest = item.removeprefix("sha256:")
            if (
                not item.startswith("sha256:")
                or len(digest) != 64
                or not all(c in "0123456789abcdef" for c in digest)
            ):
                raise ValueError(
                    "steward_token_hashes holds 'sha256:<64 hex>' values, never raw tokens"
                )
        return value

    @model_validator(mode="after")
    def _remote_store_is_well_formed(self) -> Settings:
        if self.is_remote_store:
            url = self.store.removeprefix("sparql+")
            TypeAdapter(AnyHttpUrl).validate_python(url)
            if self.store_update is not None:
                TypeAdapter(AnyHttpUrl).validate_python(self.store_update)
        return self

    @property
    def is_remote_store(self) -> bool:
        return self.store.startswith(("sparql+http://", "sparql+https://"))

    @property
    def ontology_dir(self) -> Path:
        return self.project_root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.project_root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.project_root / "data"

    @property
    def examples_dir(self) -> Path:
        return self.data_dir / "voorbeelden"

    @property
    def queries_dir(self) -> Path:
        return self.project_root / "queries"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
