"""Load ``spec/v3.json`` once and answer every question the other modules ask of it.

Checks, mock, linter, diff and codegen all ask a :class:`Spec`; nobody re-parses the JSON or lists
an operation, an enum value or an error code by hand. The conventions this relies on are in
``docs/spec-conventions.md``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import FrozenInstanceError, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from contracts.errors import SpecError, UsageError, did_you_mean
from contracts.schemas import EXAMPLE_KEYS, JSON_MEDIA, Schemas, Walked
from contracts.schemas import escape_token as escape_token
from contracts.schemas import join_pointer as join_pointer
from contracts.schemas import resolve_pointer as resolve_pointer
from contracts.schemas import unescape_token as unescape_token
from contracts.types import JSON, JSONObject, OperationId, Pointer

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import IO

    from openapi_core import OpenAPI

    from contracts.error_facts import ErrorFacts

DEFAULT_SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "v3.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SOFT_DELETE_KEY = "x-soft-delete"
"""A DELETE that deactivates (:attr:`Operation.soft_delete`); docs/spec-conventions.md."""
SOFT_DELETE_SHAPE = "on a DELETE, the name of the boolean property a deleted record keeps false"
ERROR_CATALOGUE_KEY = "x-error-codes"
ENVELOPE_SCHEMA = "Envelope"
ERROR_ENVELOPE_SCHEMA = "ErrorEnvelope"
MAX_SPEC_BYTES = 64 * 1024 * 1024
"""A larger file is refused before it is read: a spec, not a way to exhaust memory."""
MAX_DEPTH = 100
"""Deeper documents are refused on load, so no recursive walk downstream can overflow
(``spec/v3.json`` is 18 deep)."""


def _obj(value: Any) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one: accessors never trust the shape."""
    return value if isinstance(value, dict) else {}


MAX_CONTAINERS = 1_000_000
"""More objects and arrays than this are refused: JSON this large is no spec, and YAML aliases
(a "billion laughs" document) can expand a small file into an endless walk."""


def shape_problem(document: Any, limit: int = MAX_DEPTH) -> str | None:
    """Why ``document`` is too deep or too large to walk (None when it is fine).

    Level by level, without recursion, and stopping as soon as the budget is spent.
    """
    level = [document] if isinstance(document, (dict, list)) else []
    depth = seen = 0
    while level:
        depth += 1
        if depth > limit:
            return f"nested deeper than {limit} levels"
        seen += len(level)
        below: list[Any] = []
        keep = below.append
        for node in level:
            for v in node.values() if isinstance(node, dict) else node:
                if isinstance(v, (dict, list)):
                    keep(v)
            if seen + len(below) > MAX_CONTAINERS:
                return f"more than {MAX_CONTAINERS:,} objects and arrays"
        level = below
    return None


class _TooMany(Exception):
    pass


def walked_shape(document: Any, limit: int = MAX_DEPTH) -> tuple[str | None, Walked]:
    """:func:`shape_problem` of ``document`` and, when there is none, :func:`contracts.schemas.walk`
    of it (the same list), in one pass: the linter reads every object, so it walks once, not twice.

    The verdict is :func:`shape_problem`'s, whichever order finds it: too many objects and arrays
    down to one level below ``limit`` is that; else any container there is "nested deeper". The
    recursion never goes more than ``limit + 1`` calls deep.
    """
    out: Walked = []
    add = out.append
    containers = (dict, list)
    count = 0
    deep = False

    def visit(node: Any, where: str, in_example: bool, depth: int) -> None:
        nonlocal count, deep
        count += 1
        if count > MAX_CONTAINERS:
            raise _TooMany
        if depth > limit:
            deep = True
            return
        below = depth + 1
        if isinstance(node, dict):
            add((where, node, in_example))
            properties = where.endswith("/properties")
            for key, value in node.items():
                if isinstance(value, containers):
                    token = key.replace("~", "~0").replace("/", "~1") if "~" in key or "/" in key else key
                    visit(
                        value,
                        f"{where}/{token}",
                        in_example or (key in EXAMPLE_KEYS and not properties),
                        below,
                    )
        else:
            for index, value in enumerate(node):
                if isinstance(value, containers):
                    visit(value, f"{where}/{index}", in_example, below)

    if isinstance(document, containers):
        try:
            visit(document, "", False, 1)
        except _TooMany:
            return f"more than {MAX_CONTAINERS:,} objects and arrays", []
    if deep:
        return f"nested deeper than {limit} levels", []
    return None, out


def depth_exceeds(document: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether ``document`` is too deep (or too large) to walk safely."""
    return shape_problem(document, limit) is not None


class _Value:
    """An immutable value of the index, equal and hashed by its ``_compared`` fields, shown by its
    ``_shown`` ones: what ``@dataclass(frozen=True)`` gives, written out because defining a frozen
    dataclass compiles its generated methods at import (~4M instructions each, ~2% of a lint)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()
    """The constructor's arguments, in order (what a copy or a pickle is rebuilt from)."""
    _compared: tuple[str, ...] = ()
    _shown: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.__class__, tuple(getattr(self, name) for name in self._fields)

    def _key(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


def _set(value: _Value, **fields: Any) -> None:
    for name, given in fields.items():
        object.__setattr__(value, name, given)


class ErrorCode(_Value):
    """One entry of the error-code catalogue (``components["x-error-codes"]``)."""

    _fields = _compared = _shown = ("code", "message", "status", "name", "source", "pointer")
    __slots__ = tuple(sorted(_fields))
    code: int
    message: str
    status: int
    name: str
    source: str
    pointer: Pointer

    def __init__(
        self, code: int, message: str, status: int, name: str, source: str, pointer: Pointer
    ) -> None:
        _set(self, code=code, message=message, status=status, name=name, source=source, pointer=pointer)


class EnumSchema(_Value):
    """A named enum component: its allowed values and where it lives in the spec."""

    _fields = _compared = _shown = ("name", "values", "pointer")
    __slots__ = tuple(sorted(_fields))
    name: str
    values: tuple[JSON, ...]
    pointer: Pointer

    def __init__(self, name: str, values: tuple[JSON, ...], pointer: Pointer) -> None:
        _set(self, name=name, values=values, pointer=pointer)


@dataclass(frozen=True)
class Parameter:
    """One parameter of an operation, read once (``Operation.params``): the request checks, the error
    facts and the mock's guard and validator each extend this view rather than re-read the object."""

    name: str
    location: str
    """Its ``in``: ``path``, ``query``, ``header`` or ``cookie``."""
    required: bool
    schema: JSONObject
    """Its schema dereferenced, keywords written beside a ``$ref`` on top (empty: any value)."""
    pointer: Pointer
    """Where the parameter object is written: its component when listed as a ``$ref``."""
    raw: JSONObject = field(repr=False, compare=False)
    """The parameter object, dereferenced: its raw ``schema`` and its x- facts (``x-not-found-code``,
    ``x-constraint-codes``, ``x-collection``), which :mod:`contracts.error_facts` reads and checks."""

    @classmethod
    def extending(cls, base: Parameter, **extra: Any) -> Self:
        """``base`` as a ``cls``, with the fields ``cls`` adds (a tool's own view of a parameter)."""
        return cls(**{f.name: getattr(base, f.name) for f in fields(Parameter)}, **extra)


class Operation(_Value):
    """One HTTP operation of the spec, with the derived facts every tool needs. Equal by its
    identifying fields; its ``raw`` object and ``spec`` are neither compared nor shown."""

    _fields = (
        "operation_id",
        "method",
        "path",
        "pointer",
        "raw",
        "slugs",
        "error_codes",
        "deprecated",
        "spec",
    )
    _compared = _shown = ("operation_id", "method", "path", "pointer", "slugs", "error_codes", "deprecated")
    operation_id: OperationId
    method: str
    path: str
    pointer: Pointer
    raw: JSONObject
    slugs: tuple[str, ...]
    error_codes: tuple[int, ...]
    deprecated: bool
    spec: Spec

    def __init__(
        self,
        operation_id: OperationId,
        method: str,
        path: str,
        pointer: Pointer,
        raw: JSONObject,
        slugs: tuple[str, ...],
        error_codes: tuple[int, ...],
        deprecated: bool,
        spec: Spec,
    ) -> None:
        _set(
            self,
            operation_id=operation_id,
            method=method,
            path=path,
            pointer=pointer,
            raw=raw,
            slugs=slugs,
            error_codes=error_codes,
            deprecated=deprecated,
            spec=spec,
        )

    @functools.cached_property
    def path_regex(self) -> re.Pattern[str]:
        """The path template as a regex (compiled on first match: a lint never matches a path)."""
        return _path_regex(self.path)

    @functools.cached_property
    def soft_delete(self) -> str | None:
        """``x-soft-delete``: the boolean property this DELETE sets false instead of removing the record.
        The mock deactivates, and a read after it answering 200 is no use-after-free. Malformed: SpecError."""
        flag = self.raw.get(SOFT_DELETE_KEY)
        if flag is not None and not (isinstance(flag, str) and flag and self.method == "DELETE"):
            raise SpecError(
                f"{join_pointer(self.pointer, SOFT_DELETE_KEY)}: {SOFT_DELETE_SHAPE}, not {flag!r:.60}",
                hint="docs/spec-conventions.md, 'Mock extensions'",
            )
        return flag

    @property
    def is_write(self) -> bool:
        return self.method not in READ_METHODS

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def path_item(self) -> JSONObject:
        """The path item this operation belongs to (its path-level ``parameters``, sibling methods)."""
        return self.spec.paths[self.path]  # type: ignore[no-any-return]

    @property
    def statuses(self) -> tuple[str, ...]:
        """The documented response keys, as written (``"200"``, ``"4XX"``, ``"default"``)."""
        return tuple(_obj(self.raw.get("responses")))

    def response_key(self, status: int) -> str | None:
        """The documented response key that covers ``status``: exact, then range, then default."""
        responses = _obj(self.raw.get("responses"))
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in responses:
                return key
        return None

    def response(self, status: int) -> JSONObject | None:
        """The (dereferenced) response object documented for ``status``."""
        key = self.response_key(status)
        if key is None:
            return None
        resolved = self.spec.deref(self.raw["responses"][key])
        return resolved if isinstance(resolved, dict) else None

    def response_pointer(self, status: int) -> Pointer | None:
        key = self.response_key(status)
        return None if key is None else join_pointer(self.pointer, "responses", key)

    def response_media(self, status: int) -> dict[str, JSONObject]:
        """Media type → media object documented for ``status`` (empty when none)."""
        content = _obj(_obj(self.response(status)).get("content"))
        return {k: v for k, v in content.items() if isinstance(v, dict)}

    def response_schema(self, status: int, media_type: str = JSON_MEDIA) -> JSONObject | None:
        media = self.response_media(status).get(media_type)
        schema = None if media is None else media.get("schema")
        return schema if isinstance(schema, (dict, bool)) else None  # type: ignore[return-value]

    def request_schema(self, media_type: str = JSON_MEDIA) -> JSONObject | None:
        body = _obj(self.spec.deref(self.raw.get("requestBody", {})))
        media = _obj(_obj(body.get("content")).get(media_type))
        schema = media.get("schema")
        return schema if isinstance(schema, (dict, bool)) else None  # type: ignore[return-value]

    def parameters(self) -> list[JSONObject]:
        """Path-level and operation-level parameters, dereferenced, operation-level winning."""
        path_item = self.path_item
        merged: dict[tuple[str, str], JSONObject] = {}
        for param in [*_list(path_item.get("parameters")), *_list(self.raw.get("parameters"))]:
            resolved = self.spec.deref(param)
            if isinstance(resolved, dict) and isinstance(resolved.get("name"), str):
                merged[(resolved["name"], str(resolved.get("in")))] = resolved
        return list(merged.values())

    @functools.cached_property
    def params(self) -> tuple[Parameter, ...]:
        """:meth:`parameters` as :class:`Parameter` views, in the same order, each with its pointer."""
        written: dict[tuple[str, str], Pointer] = {}
        for base, level in (
            (join_pointer("/paths", self.path, "parameters"), self.path_item.get("parameters")),
            (join_pointer(self.pointer, "parameters"), self.raw.get("parameters")),
        ):
            for index, param in enumerate(_list(level)):
                resolved = self.spec.deref(param)
                if isinstance(resolved, dict) and isinstance(resolved.get("name"), str):
                    ref = param.get("$ref")
                    at = ref[1:] if isinstance(ref, str) else join_pointer(base, index)
                    written[(resolved["name"], str(resolved.get("in")))] = at
        return tuple(
            Parameter(
                name=p["name"],
                location=str(p.get("in")),
                required=bool(p.get("required")),
                schema=merged(self.spec, p.get("schema", {})),
                pointer=written.get((p["name"], str(p.get("in"))), self.pointer),
                raw=p,
            )
            for p in self.parameters()
        )

    def codes_for_status(self, status: int) -> tuple[int, ...]:
        """The operation's error codes whose catalogued HTTP status is ``status``."""
        catalogue = self.spec.error_catalogue
        return tuple(c for c in self.error_codes if c in catalogue and catalogue[c].status == status)

    def match_path(self, path: str) -> dict[str, str] | None:
        """Path parameters when ``path`` (no query string) matches this operation's template."""
        found = self.path_regex.fullmatch(path)
        return None if found is None else found.groupdict()


def merged(spec: Spec, node: Any) -> JSONObject:
    """``node`` with its ``$ref`` target below it: the keywords that apply where ``node`` is written
    (3.1 allows keywords beside ``$ref``; the ones written there win)."""
    if not isinstance(node, dict):
        return {}
    if "$ref" not in node:
        return node
    target = spec.deref(node)
    siblings = {k: v for k, v in node.items() if k != "$ref"}
    return {**target, **siblings} if isinstance(target, dict) else siblings


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _path_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    pattern = "".join(
        f"(?P<{re.sub(r'[^0-9A-Za-z_]', '_', p[1:-1])}>[^/]+)" if p.startswith("{") else re.escape(p)
        for p in parts
    )
    return re.compile(pattern + "/?")


class Spec:
    """An OpenAPI document, indexed once: operations, enums, error codes, envelope."""

    def __init__(
        self, raw: Any, *, path: Path | None = None, text: str | None = None, lenient: bool = False
    ) -> None:
        name = path or "spec"
        if not isinstance(raw, dict):
            kind = "an array" if isinstance(raw, list) else f"a {type(raw).__name__}"
            raise SpecError(f"{name}: not an OpenAPI document (no 'paths' object; the top level is {kind})")
        self.walked: Walked | None = None
        """Every object of the document with its pointer (:func:`contracts.schemas.walk`'s list),
        for a lenient (the linter's) spec, which reads every object: taken while its shape is
        checked, so the document is walked once, not twice. None for a strict spec."""
        if lenient:
            problem, self.walked = walked_shape(raw)
        else:
            problem = shape_problem(raw)
        if problem:
            raise SpecError(f"{name}: {problem}; not a spec this tool reads")
        self.raw: JSONObject = raw
        self.path = path
        self.text = text
        self.version: str = str(raw.get("openapi", ""))
        if not self.version.startswith("3."):
            raise SpecError(f"{name}: 'openapi' is {self.version[:40] or 'missing'}, expected 3.x")
        no_paths = not isinstance(raw.get("paths", {}), dict) or ("paths" not in raw and self.version < "3.1")
        if no_paths and not lenient:
            raise SpecError(f"{name}: not an OpenAPI document (no 'paths' object)")
        self.defects: list[tuple[Pointer, str]] = []
        """(pointer, message) for each part whose shape the index cannot use: an operation that is a
        string, one without operationId, a parameter list that is an object, ... The linter reports
        them; a strict (default) Spec refuses the document on the first one."""
        components = raw.get("components", {})
        if not isinstance(components, dict):
            self.defects.append(("/components", f"must be an object, not {_kind(components)}"))
        for kind, value in _obj(components).items():
            if not kind.startswith("x-") and not isinstance(value, dict):
                self.defects.append(
                    (f"/components/{escape_token(kind)}", f"must be an object, not {_kind(value)}")
                )
        self.operations: tuple[Operation, ...] = tuple(self._index_operations())
        self.error_catalogue  # noqa: B018 - indexed now, so its defects are known before any use
        self._by_name: dict[str, Operation] = {}
        self.duplicate_names: list[tuple[str, Operation, Operation]] = []
        """(name, first, second) where an operationId or doc slug names two operations (the linter reports it)."""
        for op in self.operations:
            for slug in op.slugs:
                if slug in self._by_name:
                    self.duplicate_names.append((slug, self._by_name[slug], op))
                    continue
                self._by_name[slug] = op
        self._match_cache: dict[tuple[str, str], tuple[Operation, dict[str, str]] | None] = {}
        # Literal segments win over templated ones (``/targetGroups/channels`` before ``/{id}``).
        self._match_order = sorted(
            self.operations, key=lambda o: (-len(re.sub(r"\{[^}]+\}", "", o.path)), o.path)
        )
        if self.defects and not lenient:
            pointer, message = self.defects[0]
            more = f" (and {len(self.defects) - 1} more)" if len(self.defects) > 1 else ""
            raise SpecError(
                f"{name}: {pointer}: {message}{more}",
                hint="`contracts lint` lists every defect",
            )

    # -- loading --------------------------------------------------------------------------------
    @classmethod
    def from_path(cls, path: str | Path, *, lenient: bool = False) -> Spec:
        file = Path(path)
        data = read_bounded(file, MAX_SPEC_BYTES, SpecError, noun="spec")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SpecError(f"{file}: not UTF-8 (invalid byte at offset {exc.start})") from None
        return cls.from_text(text, path=file, lenient=lenient)

    @classmethod
    def from_text(cls, text: str, *, path: Path | None = None, lenient: bool = False) -> Spec:
        name = path or "spec"
        if not text.strip():
            raise SpecError(f"{name}: empty file, not a spec")
        if path is not None and path.suffix in (".yaml", ".yml"):
            import yaml

            try:
                raw = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
                raise SpecError(f"{name}{where}: malformed YAML ({getattr(exc, 'problem', exc)})") from None
            except RecursionError:
                raise SpecError(f"{name}: nested deeper than {MAX_DEPTH} levels") from None
        else:
            raw = _fast_json(text)
        if raw is _UNREAD:
            try:
                raw = json.loads(text, parse_constant=_not_json)
            except json.JSONDecodeError as exc:
                raise SpecError(f"{name}:{exc.lineno}:{exc.colno}: malformed JSON ({exc.msg})") from None
            except ValueError as exc:  # NaN, Infinity: Python reads them, JSON has no such values
                raise SpecError(f"{name}: malformed JSON ({exc})") from None
            except RecursionError:
                raise SpecError(
                    f"{name}: nested deeper than {MAX_DEPTH} levels; not a spec this tool reads"
                ) from None
        return cls(raw, path=path, text=text, lenient=lenient)

    # -- references -----------------------------------------------------------------------------
    def deref(self, node: Any) -> Any:
        """Follow local ``$ref`` chains until a node without ``$ref``."""
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#") or ref in seen:
                raise SpecError(f"unresolvable or circular $ref {ref!r}")
            seen.add(ref)
            try:
                node = resolve_pointer(self.raw, ref[1:])
            except (KeyError, IndexError, ValueError):
                raise SpecError(f"$ref {ref!r} points nowhere") from None
        return node

    def at(self, pointer: Pointer) -> JSON:
        return resolve_pointer(self.raw, pointer)

    # -- operations -----------------------------------------------------------------------------
    def _index_operations(self) -> Iterator[Operation]:
        paths = self.raw.get("paths", {})
        if not isinstance(paths, dict):
            self.defects.append(("/paths", f"must be an object, not {_kind(paths)}"))
            return
        for path, item in paths.items():
            where = join_pointer("/paths", path)
            if not isinstance(item, dict):
                self.defects.append((where, f"a path item must be an object, not {_kind(item)}"))
                continue
            if "parameters" in item and not _params_ok(self, item["parameters"]):
                self.defects.append((f"{where}/parameters", "must be an array of parameter objects"))
                continue
            for method in HTTP_METHODS:
                if method in item:
                    op = self._operation(path, method, item[method])
                    if op is not None:
                        yield op

    def _operation(self, path: str, method: str, op: Any) -> Operation | None:
        """The indexed operation, or None with a defect recorded when its shape is unusable."""
        pointer = join_pointer("/paths", path, method)
        if not isinstance(op, dict):
            self.defects.append((pointer, f"an operation must be an object, not {_kind(op)}"))
            return None
        op_id = op.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            self.defects.append((pointer, "operation has no operationId"))
            return None
        problems = [
            (key, message)
            for key, ok, message in (
                ("x-error-codes", _codes_ok(op.get("x-error-codes", [])), "must be a list of integers"),
                ("x-doc-slugs", _strings_ok(op.get("x-doc-slugs", [])), "must be a list of strings"),
                ("responses", isinstance(op.get("responses", {}), dict), "must be an object"),
                (
                    "parameters",
                    _params_ok(self, op.get("parameters", [])),
                    _params_problem(self, op.get("parameters", [])) or "",
                ),
                ("requestBody", isinstance(op.get("requestBody", {}), dict), "must be an object"),
                ("deprecated", isinstance(op.get("deprecated", False), bool), "must be true or false"),
            )
            if not ok
        ]
        for key, message in problems:
            self.defects.append((f"{pointer}/{key}", message))
        raw = {k: v for k, v in op.items() if k not in {key for key, _ in problems}}  # the usable parts
        return Operation(
            operation_id=op_id,
            method=method.upper(),
            path=path,
            pointer=pointer,
            raw=raw,
            slugs=(op_id, *raw.get("x-doc-slugs", [])),
            error_codes=tuple(raw.get("x-error-codes", [])),
            deprecated=bool(raw.get("deprecated", False)),
            spec=self,
        )

    def operation(self, name: str) -> Operation:
        """The operation whose operationId or ``x-doc-slugs`` contains ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise UsageError(
                f"unknown operation {name!r}",
                hint=did_you_mean(name, self._by_name) or "see the spec's operationIds",
            ) from None

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation and path parameters serving ``method path`` (query string ignored)."""
        key = (method if method.isupper() else method.upper(), path.split("?", 1)[0] if "?" in path else path)
        found = self._match_cache.get(key, _UNMATCHED)
        if found is _UNMATCHED:
            found = self._match(*key)
            if found is not None and found[1]:  # a path with parameters (an id) seldom comes again
                return found  # not cached: its dict is the caller's
            if len(self._match_cache) >= 4096:
                self._match_cache.clear()
            self._match_cache[key] = found
        return None if found is None else (found[0], dict(found[1]))

    def _match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        pattern, templates = self._matcher
        hit = pattern.fullmatch(path)
        if hit is None:
            return None
        # The most literal template owns the path, whatever the method (as routers do).
        at = hit.lastindex or 0
        names, by_method = templates[at]
        op = by_method.get(method)
        return None if op is None else (op, dict(zip(names, hit.groups()[at : at + len(names)], strict=True)))

    @functools.cached_property
    def _matcher(self) -> tuple[re.Pattern[str], dict[int, tuple[tuple[str, ...], dict[str, Operation]]]]:
        """Every path template in one alternation, most literal first (``/targetGroups/channels``
        before ``/{id}``): the first alternative matching is the template :meth:`Operation.match_path`
        would find first in that order. Group ``k`` encloses a template, its parameters follow it."""
        alternatives: list[str] = []
        templates: dict[int, tuple[tuple[str, ...], dict[str, Operation]]] = {}
        by_path: dict[str, dict[str, Operation]] = {}
        group = 1
        for op in self._match_order:
            if op.path in by_path:
                by_path[op.path].setdefault(op.method, op)
                continue
            by_path[op.path] = {op.method: op}
            parts = re.split(r"(\{[^}/]+\})", op.path)
            names = tuple(re.sub(r"[^0-9A-Za-z_]", "_", p[1:-1]) for p in parts if p.startswith("{"))
            body = "".join("([^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
            alternatives.append(f"({body}/?)")
            templates[group] = (names, by_path[op.path])
            group += 1 + len(names)
        return re.compile("|".join(alternatives) or "(?!)"), templates

    def methods_at(self, path: str) -> list[str]:
        """The methods of the path template serving ``path`` (literal segments winning), for ``Allow``."""
        path = path.split("?", 1)[0]
        for op in self._match_order:
            if op.match_path(path) is not None:
                item = op.path_item
                return [m.upper() for m in HTTP_METHODS if m in item]
        return []

    @property
    def paths(self) -> JSONObject:
        """The ``paths`` object (empty when the document has none)."""
        return _obj(self.raw.get("paths"))

    def components(self, kind: str) -> JSONObject:
        """``components[kind]`` (``schemas``, ``responses``, ``securitySchemes``, ``x-error-codes``...),
        empty when absent or not an object."""
        return _obj(_obj(self.raw.get("components")).get(kind))

    # -- catalogues -----------------------------------------------------------------------------
    @functools.cached_property
    def error_catalogue(self) -> Mapping[int, ErrorCode]:
        """Code → entry; entries without an integer key, message and status are defects, left out."""
        entries = _obj(self.raw.get("components")).get(ERROR_CATALOGUE_KEY, {})
        catalogue: dict[int, ErrorCode] = {}
        if not isinstance(entries, dict):
            self.defects.append((f"/components/{ERROR_CATALOGUE_KEY}", "must be an object"))
            return catalogue
        for key, entry in entries.items():
            pointer = join_pointer("/components", ERROR_CATALOGUE_KEY, key)
            entry = _obj(entry)
            status, message = entry.get("status"), entry.get("message")
            if not (
                key.isascii()
                and key.isdigit()
                and len(key) <= 18
                and isinstance(status, int)
                and not isinstance(status, bool)
                and isinstance(message, str)
            ):
                self.defects.append((pointer, "catalogue entries need an integer key, message and status"))
                continue
            catalogue[int(key)] = ErrorCode(
                code=int(key),
                message=message,
                status=status,
                name=str(entry.get("name", "")),
                source=str(entry.get("source", "")),
                pointer=pointer,
            )
        return catalogue

    @functools.cached_property
    def enums(self) -> Mapping[str, EnumSchema]:
        """Named enum components: component name → values."""
        schemas = _obj(_obj(self.raw.get("components")).get("schemas"))
        return {
            name: EnumSchema(name, tuple(schema["enum"]), join_pointer("/components/schemas", name))
            for name, schema in schemas.items()
            if isinstance(schema, dict) and isinstance(schema.get("enum"), list)
        }

    def schema_pointer(self, name: str) -> Pointer:
        return join_pointer("/components/schemas", name)

    @functools.cached_property
    def schemas(self) -> Schemas:
        """The schema layer of this document: compiled validators, walks, memos (:mod:`contracts.schemas`)."""
        return Schemas(self)

    @functools.cached_property
    def error_facts(self) -> ErrorFacts:
        """Which request earns which code, read and checked once (:mod:`contracts.error_facts`;
        imported here: it extends this module's Parameter, and its six dataclasses cost a lint,
        which never asks, ~4% of its instructions)."""
        from contracts.error_facts import ErrorFacts

        return ErrorFacts(self)

    @functools.cached_property
    def openapi(self) -> OpenAPI:
        """openapi-core's façade for this document, built once (it validates the document)."""
        from openapi_core import OpenAPI

        try:
            return OpenAPI.from_dict(self.raw)
        except Exception as exc:  # noqa: BLE001 - openapi-core raises several unrelated types
            raise SpecError(f"{self.path or 'spec'}: not a valid OpenAPI document ({exc})") from None


_UNREAD = object()
_UNMATCHED: Any = object()


def _fast_json(text: str) -> Any:
    """``text`` parsed by orjson (~3x faster on a spec); ``_UNREAD`` when orjson refuses it (big
    integers, lone surrogates, NaN, malformed or deep input), which the standard parser then reads
    or explains, so the verdict and the messages are the standard library's."""
    try:
        import orjson

        return orjson.loads(text)
    except (ImportError, ValueError):
        return _UNREAD


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _kind(value: Any) -> str:
    names = {str: "a string", list: "an array", dict: "an object", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _codes_ok(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(c, int) and not isinstance(c, bool) for c in value)


def _strings_ok(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _params_ok(spec: Spec, value: Any) -> bool:
    """An array of parameter objects (or $refs to them), each with a string name and location."""
    return _params_problem(spec, value) is None


def _params_problem(spec: Spec, value: Any) -> str | None:
    """Why ``value`` is not a usable parameter list (None when it is), naming the bad entry."""
    if not isinstance(value, list):
        return f"must be an array of parameters, not {_kind(value)}"
    for index, param in enumerate(value):
        try:
            resolved = spec.deref(param)
        except SpecError:
            continue  # a dangling $ref is the refs_resolvable rule's finding
        if not (
            isinstance(resolved, dict)
            and isinstance(resolved.get("name"), str)
            and isinstance(resolved.get("in"), str)
        ):
            return f"parameter {index} needs 'in' and 'name' strings"
    return None


@functools.lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Spec:
    return Spec.from_path(path)


def read_bounded(
    path: Path,
    limit: int,
    error: Callable[[str], Exception],
    *,
    noun: str = "",
    what: str | None = None,
    name: str | None = None,
    handle: IO[bytes] | None = None,
) -> bytes:
    """At most ``limit`` bytes of ``path`` (of ``handle`` when given: standard input), or one line
    ``error(...)``: no such file, a directory, unreadable, or larger than ``limit``. ``noun`` names the
    file in the messages (``spec``: "no such spec file"), ``what`` its content ("not a capture this
    tool reads"; default: the noun), ``name`` the path as shown."""
    shown = name or str(path)
    file_noun = f"{noun} file" if noun else "file"
    try:
        if handle is not None:
            data = handle.read(limit + 1)
        else:
            with path.open("rb") as opened:
                data = opened.read(limit + 1)
    except FileNotFoundError:
        raise error(f"{shown}: no such {file_noun}") from None
    except IsADirectoryError:
        raise error(f"{shown}: is a directory, not a {file_noun}") from None
    except OSError as exc:
        reading = f"cannot read {noun}".rstrip()
        raise error(f"{shown}: {reading} ({exc.strerror or exc.__class__.__name__})") from None
    if len(data) > limit:
        raise error(
            f"{shown}: larger than {limit // 1024 // 1024} MB, not a {what or noun or 'file'} this tool reads"
        )
    return data


def load_spec(path: str | Path | None = None) -> Spec:
    """The indexed spec at ``path`` (default ``spec/v3.json``), parsed once per file version."""
    file = Path(path) if path is not None else DEFAULT_SPEC_PATH
    try:
        mtime = file.stat().st_mtime_ns
    except OSError:
        raise SpecError(f"{file}: no such spec file") from None
    return _load_cached(str(file.resolve()), mtime)
