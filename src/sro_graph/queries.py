"""Named queries: ``queries/*.rq`` files with a YAML header, run with typed parameters.

A file opens with ``#+ `` lines holding YAML::

    #+ title: {nl: ..., en: ...}
    #+ description: {nl: ..., en: ...}
    #+ tags: [initiatief]
    #+ params:
    #+   uitdaging: {type: iri, scheme: uitdaging, required: true, description: ...}

Parameter types: ``iri`` (optionally ``scheme:`` a concept scheme name, or ``class:`` a class
IRI or ``sr:Name``), ``string``, ``integer``, ``date``, ``language``; each may have
``required``, ``default``, ``min``/``max`` (integers) and ``enum``. Each parameter must appear
as a variable of the same name. Values become RDF terms and enter the query as one ``VALUES``
block of N-Triples terms at the start of the WHERE group (``store.binding.bind_values``, the
same binder the remote store uses): the text of a request is never spliced into SPARQL.

The query files are written with relative IRIs for our own terms (``</ns/smartregio#>``,
docs/model.md); they run with a ``BASE`` of the deployment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox
import yaml
from rdflib import XSD, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Identifier

from sro_graph import rq
from sro_graph.errors import BadParameterError, NotFoundError
from sro_graph.formats import MediaType, ResultFormat
from sro_graph.sparql import QueryInfo, QueryRunner, inspect_query
from sro_graph.store import RawResult, Store, StoreQueryError
from sro_graph.store.binding import bind_values, where_group_start
from sro_graph.vocab import Uris

ParamType = Literal["iri", "string", "integer", "date", "language"]
PARAM_TYPES: tuple[str, ...] = ("iri", "string", "integer", "date", "language")
_NAME = re.compile(r"[a-z][a-z0-9-]*")
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")
MAX_STRING = 200


@dataclass(frozen=True)
class ParamDef:
    """One typed parameter of a named query."""

    name: str
    type: ParamType
    required: bool = False
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    enum: tuple[str, ...] = ()
    scheme: str | None = None
    class_: str | None = None
    description: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryDef:
    """A named query: its header and its text."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    tags: tuple[str, ...]
    params: tuple[ParamDef, ...]
    text: str
    info: QueryInfo

    def param(self, name: str) -> ParamDef | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class NamedResult:
    """A named query's serialised result with its ETag."""

    raw: RawResult
    etag: str
    cached: bool


class QueryHeaderError(ValueError):
    """A query file whose header is missing or wrong (a bug in ``queries/``)."""


def read_header(text: str) -> dict[str, Any]:
    """The YAML of the leading ``#+`` lines of ``text``."""
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif (line.strip() and lines) or (line.strip() and not line.startswith("#")):
            break
    if not lines:
        raise QueryHeaderError("no '#+ ' header")
    try:
        header = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise QueryHeaderError(f"header is not YAML: {exc}") from exc
    if not isinstance(header, dict):
        raise QueryHeaderError("header is not a mapping")
    return header


def _lang_map(value: object, what: str) -> dict[str, str]:
    if isinstance(value, str):
        return {"nl": value, "en": value}
    if (
        isinstance(value, dict)
        and isinstance(value.get("nl"), str)
        and isinstance(value.get("en"), str)
    ):
        return {str(k): str(v) for k, v in value.items()}
    raise QueryHeaderError(f"{what} needs 'nl' and 'en' texts")


def parse_query_file(name: str, text: str) -> QueryDef:
    """Read one query file.

    Raises:
        QueryHeaderError: the header is missing, malformed, or names a parameter that is not
            a variable of the query.
    """
    if not _NAME.fullmatch(name):
        raise QueryHeaderError(f"{name}: file names are kebab-case")
    header = read_header(text)
    title = _lang_map(header.get("title"), "title")
    description = _lang_map(header.get("description"), "description")
    tags = header.get("tags") or []
    if not isinstance(tags, list):
        raise QueryHeaderError("tags is a list")
    raw_params = header.get("params") or {}
    if not isinstance(raw_params, dict):
        raise QueryHeaderError("params is a mapping of name to definition")
    try:
        info = inspect_query(text)
    except Exception as exc:
        raise QueryHeaderError(f"{name}: {exc}") from exc
    params: list[ParamDef] = []
    for pname, spec in raw_params.items():
        params.append(_param(str(pname), spec, text))
    if params and where_group_start(text) is None:
        raise QueryHeaderError(f"{name}: the query has no WHERE group to bind parameters in.")
    return QueryDef(
        name, title, description, tuple(str(t) for t in tags), tuple(params), text, info
    )


def _param(name: str, spec: object, text: str) -> ParamDef:
    if not _PARAM_NAME.fullmatch(name):
        raise QueryHeaderError(f"parameter {name}: names are SPARQL variable names")
    if not isinstance(spec, dict):
        raise QueryHeaderError(f"parameter {name}: a mapping is expected")
    ptype = spec.get("type")
    if ptype not in PARAM_TYPES:
        raise QueryHeaderError(f"parameter {name}: type is one of {', '.join(PARAM_TYPES)}")
    if not re.search(rf"[?$]{re.escape(name)}\b", text):
        raise QueryHeaderError(f"parameter {name} is not a variable of the query")
    description = spec.get("description") or {}
    return ParamDef(
        name=name,
        type=ptype,
        required=bool(spec.get("required", False)),
        default=spec.get("default"),
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        enum=tuple(str(v) for v in spec.get("enum") or ()),
        scheme=spec.get("scheme"),
        class_=spec.get("class"),
        description=_lang_map(description, f"parameter {name} description") if description else {},
    )


def load_query_defs(folder: Path) -> dict[str, QueryDef]:
    """Every ``*.rq`` file of ``folder`` by name (the file stem), sorted.

    Raises:
        QueryHeaderError: a file has a wrong header.
    """
    defs: dict[str, QueryDef] = {}
    if not folder.is_dir():
        return defs
    for path in sorted(folder.glob("*.rq")):
        defs[path.stem] = parse_query_file(path.stem, path.read_text(encoding="utf-8"))
    return defs


def bound_query(qdef: QueryDef, values: Mapping[str, Identifier], *, base: str) -> str:
    """The text of ``qdef`` with its parameters bound and the deployment base declared."""
    try:
        bound = bind_values(qdef.text, values)
    except StoreQueryError as exc:  # e.g. a value that is not a valid IRI
        raise BadParameterError(str(exc)) from exc
    return f"BASE {ox.NamedNode(base)}\n{bound}"


class NamedQueries:
    """The named queries of one deployment: bind parameters, run, cache by store version."""

    def __init__(
        self,
        defs: Mapping[str, QueryDef],
        runner: QueryRunner,
        store: Store,
        uris: Uris,
        *,
        cache_size: int = 256,
        examples_loaded: Callable[[], bool] | None = None,
    ) -> None:
        self.defs = dict(defs)
        # Whether the store holds illustrative example data; plain-JSON answers say so
        # ("examples"), as the X-SRO-Examples header does for every format (issue 14).
        self.examples_loaded = examples_loaded
        self.runner = runner
        self.store = store
        self.uris = uris
        self._cache: OrderedDict[str, RawResult] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def get(self, name: str) -> QueryDef:
        """Raises: NotFoundError."""
        try:
            return self.defs[name]
        except KeyError:
            raise NotFoundError(f"There is no named query '{name}'.") from None

    def bind(self, name: str, raw: Mapping[str, object]) -> dict[str, Identifier]:
        """Typed terms for the request values ``raw`` (absent ones take their default).

        Raises:
            NotFoundError: no such query.
            BadParameterError: an unknown, missing or invalid parameter (422).
        """
        qdef = self.get(name)
        unknown = sorted(set(raw) - {p.name for p in qdef.params})
        if unknown:
            raise BadParameterError(f"Unknown parameter '{unknown[0]}' for query '{name}'.")
        out: dict[str, Identifier] = {}
        for param in qdef.params:
            value = raw.get(param.name)
            if value is None or value == "":
                value = param.default
            if value is None:
                if param.required:
                    raise BadParameterError(f"Parameter '{param.name}' is required.")
                continue
            out[param.name] = self._term(param, value)
        return out

    def _term(self, param: ParamDef, value: object) -> Identifier:
        text = str(value).strip()
        where = f"Parameter '{param.name}'"
        if param.enum and text not in param.enum:
            raise BadParameterError(f"{where} must be one of: {', '.join(param.enum)}.")
        if param.type == "integer":
            try:
                number = int(text)
            except ValueError:
                raise BadParameterError(f"{where} must be an integer.") from None
            if param.minimum is not None and number < param.minimum:
                raise BadParameterError(f"{where} must be at least {param.minimum}.")
            if param.maximum is not None and number > param.maximum:
                raise BadParameterError(f"{where} must be at most {param.maximum}.")
            return RdfLiteral(number, datatype=XSD.integer)
        if param.type == "date":
            try:
                day = dt.date.fromisoformat(text)
            except ValueError:
                raise BadParameterError(f"{where} must be a date (YYYY-MM-DD).") from None
            return RdfLiteral(day.isoformat(), datatype=XSD.date)
        if param.type == "language":
            if not _LANGUAGE.fullmatch(text):
                raise BadParameterError(f"{where} must be a language tag such as 'nl' or 'en'.")
            return RdfLiteral(text.lower())
        if param.type == "string":
            if len(text) > MAX_STRING:
                raise BadParameterError(f"{where} is longer than {MAX_STRING} characters.")
            return RdfLiteral(text)
        return self._iri(param, text)

    def _iri(self, param: ParamDef, text: str) -> URIRef:
        where = f"Parameter '{param.name}'"
        if param.scheme and _CODE.fullmatch(text) and ":" not in text:
            iri = self.uris.concept(param.scheme, text)
        elif _ABSOLUTE_IRI.fullmatch(text):
            try:
                iri = URIRef(ox.NamedNode(text).value)
            except ValueError:
                raise BadParameterError(f"{where} must be an absolute IRI.") from None
        else:
            hint = " or a code of that scheme" if param.scheme else ""
            raise BadParameterError(f"{where} must be an absolute IRI{hint}.")
        if param.scheme:
            scheme = self.uris.scheme(param.scheme)
            if not self.store.ask(
                rq.load("concept-in-scheme"), bindings={"concept": iri, "scheme": scheme}
            ):
                raise BadParameterError(
                    f"{where}: <{iri}> is not a concept of the scheme '{param.scheme}'."
                )
        if param.class_:
            cls = self._class_iri(param.class_)
            if not self.store.ask(
                rq.load("instance-of-class"), bindings={"thing": iri, "class": cls}
            ):
                raise BadParameterError(f"{where}: <{iri}> is not a {param.class_}.")
        return iri

    def _class_iri(self, name: str) -> URIRef:
        prefix, _, local = name.partition(":")
        prefixes = self.uris.prefixes()
        if prefix in prefixes and not local.startswith("//"):
            return URIRef(prefixes[prefix] + local)
        return URIRef(name)

    def examples(self) -> list[dict[str, Any]]:
        """Each query as runnable text with its defaults bound (required ones left free)."""
        out: list[dict[str, Any]] = []
        for qdef in self.defs.values():
            values: dict[str, Identifier] = {}
            for param in qdef.params:
                if param.default is not None:
                    values[param.name] = self._term(param, param.default)
            out.append(
                {
                    "name": qdef.name,
                    "title": qdef.title,
                    "text": bound_query(qdef, values, base=self.uris.base),
                }
            )
        return out

    def etag(self, name: str, values: Mapping[str, Identifier], media_type: str) -> str:
        """A strong validator: the store version, the query, its bound values, the format."""
        return '"' + self._key(name, values, media_type)[:32] + '"'

    def _key(self, name: str, values: Mapping[str, Identifier], media_type: str) -> str:
        material = json.dumps(
            [
                self.store.version(),
                name,
                sorted((k, v.n3()) for k, v in values.items()),
                media_type,
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def run(self, name: str, values: Mapping[str, Identifier], *, accept: str) -> NamedResult:
        """Run the named query with bound ``values``; answered from the cache when the store
        has not changed since the same request. ``accept`` may also be :data:`PLAIN_JSON`
        (``{"query", "rows", "truncated", "examples"}``, rows as variable → lexical value;
        ``examples`` true when the store holds illustrative example data).

        Raises:
            NotFoundError, BusyError, QueryTimeoutError, QuerySyntaxError.
        """
        qdef = self.get(name)
        key = self._key(name, values, accept)
        etag = '"' + key[:32] + '"'
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return NamedResult(hit, etag, True)
        if accept == PLAIN_JSON:
            # Plain rows, converted once from the (cached) SPARQL JSON and cached themselves.
            results = self.run(name, values, accept=ResultFormat.JSON).raw
            body = {
                "query": name,
                "rows": rows_from_json(results.body),
                "truncated": results.truncated,
                "examples": self.examples_loaded() if self.examples_loaded else False,
            }
            raw = RawResult(
                json.dumps(body, ensure_ascii=False).encode("utf-8"),
                PLAIN_JSON,
                "bindings",
                results.truncated,
                results.count,
            )
        else:
            raw = self.runner.run(bound_query(qdef, values, base=self.uris.base), accept=accept)
        with self._lock:
            self._cache[key] = raw
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return NamedResult(raw, etag, False)


PLAIN_JSON = MediaType.JSON


def rows_from_json(body: bytes) -> list[dict[str, str]]:
    """Plain rows (variable → lexical value) from a SPARQL results JSON body."""
    data = json.loads(body)
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
