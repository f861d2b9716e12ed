"""Settings: one pydantic-settings class read from the environment (prefix ``SRO_``).

There is no module-level settings object: the CLI calls :func:`get_settings`, tests build
``Settings(...)`` and pass it to ``create_app``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout holding ``ontology/``, ``shapes/``, ``data/`` and ``queries/``."""


def hash_token(token: str) -> str:
    """The stored form of a steward token: ``sha256:<hex>``; tokens themselves are never kept."""
    return "sha256:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


_TOKEN_HASH = re.compile(r"sha256:[0-9a-f]{64}")


def steward_slug(name: str) -> str:
    """The public id of a steward: its name in lower-case ASCII words joined by ``-``.

    Stable as long as the name is, and never derived from the token."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))


class Steward(BaseModel):
    """A data steward: who holds a token (by its hash), for which organisation.

    Written in ``SRO_STEWARDS`` as ``sha256:<hex>=<name>|<organisation IRI>[|admin]``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token_hash: str = Field(description="'sha256:<64 hex>' of the token (sro-graph token-hash).")
    name: str = Field(min_length=1, max_length=200, description="The steward, for people.")
    organisation: str = Field(description="The organisation the steward submits for (IRI).")
    admin: bool = Field(default=False, description="May replace and withdraw any submission.")

    @property
    def id(self) -> str:
        """The public, stable id (from the name, never from the token)."""
        return steward_slug(self.name)

    @field_validator("token_hash")
    @classmethod
    def _a_hash(cls, value: str) -> str:
        if not _TOKEN_HASH.fullmatch(value):
            raise ValueError("a steward's token is given as 'sha256:<64 hex>', never raw")
        return value

    @field_validator("name")
    @classmethod
    def _a_name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not steward_slug(value):
            raise ValueError(f"steward name {value!r} has no letters or digits")
        return value

    @field_validator("organisation")
    @classmethod
    def _an_iri(cls, value: str) -> str:
        TypeAdapter(AnyHttpUrl).validate_python(value)
        if any(c in value for c in ' <>"{}|^`\\'):
            raise ValueError(f"organisation {value!r} is not an IRI")
        return value

    @classmethod
    def parse(cls, entry: str) -> Steward:
        """One ``sha256:<hex>=<name>|<organisation IRI>[|admin]`` entry."""
        token_hash, sep, rest = entry.strip().partition("=")
        fields = [f.strip() for f in rest.split("|")]
        if not sep or len(fields) not in (2, 3) or (len(fields) == 3 and fields[2] != "admin"):
            raise ValueError(
                "each SRO_STEWARDS entry reads 'sha256:<hex>=<name>|<organisation IRI>' or "
                "'...|admin'; entries are separated by ';' or new lines"
            )
        return cls(
            token_hash=token_hash.strip(),
            name=fields[0],
            organisation=fields[1],
            admin=len(fields) == 3,
        )


def _split_stewards(value: object) -> object:
    if isinstance(value, str):
        value = [item for item in re.split(r"[;\n]", value) if item.strip()]
    if isinstance(value, list | tuple):
        return [Steward.parse(v) if isinstance(v, str) else v for v in value]
    return value


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
    sparql_max_result_bytes: int = Field(
        default=16 * 1024 * 1024,
        gt=0,
        description="Largest answer a SPARQL query returns, in bytes as served; a longer answer "
        "is cut after the last row that fits and the cut is signalled like the row cap "
        "(reason 'bytes'). A single row larger than this gives an answer with no rows.",
    )
    store_time_limit_s: float | None = Field(
        default=None,
        gt=0,
        description="The time limit a remote store enforces on every query by its own "
        "configuration (oxigraph serve --timeout-s; Virtuoso MaxQueryExecutionTime), at most "
        "query_timeout_s. Virtuoso is probed at start instead; unset on an Oxigraph server, a "
        "query over time is abandoned and may go on running in the store (logged at start).",
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
    sparql_max_query_bytes: int = Field(
        default=65_536,
        gt=0,
        description="Longest SPARQL query text accepted, in UTF-8 bytes (413 above): bounds "
        "the cost of inspecting a query before any time limit applies.",
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
    stewards: Annotated[list[Steward], NoDecode] = Field(
        default_factory=list,
        description="Who may write submissions: entries 'sha256:<hex>=<steward name>|"
        "<organisation IRI>' (or '...|admin': may replace and withdraw any submission), "
        "separated by ';' or new lines. The hash comes from `sro-graph token-hash TOKEN`; "
        "several tokens of one steward share the name.",
    )
    steward_token_hashes: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Replaced by 'stewards' (SRO_STEWARDS), which names the steward and "
        "organisation of every token; a value here is refused at start.",
    )
    sheet_max_rows: int = Field(
        default=1000,
        gt=0,
        le=100_000,
        description="Most initiatives (rows) one spreadsheet upload may hold; more is refused "
        "(413). Its size is capped by max_body_bytes.",
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

    @field_validator("stewards", mode="before")
    @classmethod
    def _steward_entries(cls, value: object) -> object:
        return _split_stewards(value)

    @field_validator("stewards")
    @classmethod
    def _one_steward_per_token_and_name(cls, value: list[Steward]) -> list[Steward]:
        by_hash: dict[str, Steward] = {}
        by_id: dict[str, Steward] = {}
        for steward in value:
            if steward.token_hash in by_hash:
                raise ValueError(f"a token hash is given twice (steward {steward.name!r})")
            by_hash[steward.token_hash] = steward
            known = by_id.setdefault(steward.id, steward)
            if (known.organisation, known.admin) != (steward.organisation, steward.admin):
                raise ValueError(
                    f"steward {steward.id!r} is given with two organisations or admin rights; "
                    "tokens of one steward share name, organisation and rights"
                )
        return value

    @field_validator("steward_token_hashes")
    @classmethod
    def _replaced_by_stewards(cls, value: list[str]) -> list[str]:
        if value:
            raise ValueError(
                "SRO_STEWARD_TOKEN_HASHES was replaced by SRO_STEWARDS, which names the "
                "steward and organisation of each token: 'sha256:<hex>=<name>|<organisation "
                "IRI>' (never raw tokens)"
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

    @model_validator(mode="after")
    def _store_limit_within_ours(self) -> Settings:
        limit = self.store_time_limit_s
        if limit is not None and limit > self.query_timeout_s:
            raise ValueError(
                f"SRO_STORE_TIME_LIMIT_S ({limit:g}) is above SRO_QUERY_TIMEOUT_S "
                f"({self.query_timeout_s:g}): the store would go on running queries that "
                "sro-graph has abandoned; give the store a limit at most ours"
            )
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
