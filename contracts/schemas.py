"""The spec's schema layer: compiling, walking and pointing into schemas, once per :class:`Spec`.

``spec.schemas`` (a :class:`Schemas`) is the one place that compiles a schema (jsonschema-rs, the
components bundled beside the root, OpenAPI's ``int32``/``int64`` as bounds), keeps compiled
validators and per-spec memos, walks the document (:func:`walk`, for the linter), expands a schema
into the parts that apply at one place (:meth:`Schemas.parts`, through ``$ref`` and combinators) and
finds a body's JSON media object (:func:`json_media`). Checks, linter, coverage and request
validation ask it; nobody keeps a cache of their own keyed by spec.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from contracts.types import JSON, Pointer

if TYPE_CHECKING:
    from contracts.spec import Spec

JSON_MEDIA = "application/json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
INTEGER_BOUNDS = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
COMPONENT_SCHEMAS = "/components/schemas/"
NO_ERROR_SCHEMA = "NoError"
EXAMPLE_KEYS = ("examples", "example")
"""Keys whose values are example data (in a ``properties`` map they are names)."""
T = TypeVar("T")
Walked = list[tuple[Pointer, dict[str, Any], bool]]
Choose = Callable[[list[tuple[int, Any]]], list[tuple[int, Any]]]
"""Picks the ``anyOf``/``oneOf`` branches (index, schema) that apply (all when no chooser is given)."""


def escape_token(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def join_pointer(base: Pointer, *tokens: str | int) -> Pointer:
    """``join_pointer("/paths", "/v3/x", "get")`` → ``/paths/~1v3~1x/get``."""
    return base + "".join("/" + escape_token(str(t)) for t in tokens)


def resolve_pointer(document: JSON, pointer: Pointer) -> JSON:
    """The value at ``pointer`` in ``document``; KeyError when it is absent."""
    node = document
    if pointer in ("", "#", "#/"):
        return node
    for raw in pointer.lstrip("#").lstrip("/").split("/"):
        token = unescape_token(raw)
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            raise KeyError(pointer)
    return node


def json_media(node: Any) -> dict[str, Any] | None:
    """The ``application/json`` media object of a (dereferenced) response or request body object."""
    content = node.get("content") if isinstance(node, dict) else None
    media = content.get(JSON_MEDIA) if isinstance(content, dict) else None
    return media if isinstance(media, dict) else None


def walk(document: Any, path: Pointer = "") -> Walked:
    """Every object of ``document`` with its JSON pointer and whether it is (part of) an example value.

    Iterative (documents are depth-limited on load, but a walk must not depend on it), in document order.
    """
    out: Walked = []
    stack: list[tuple[Any, Pointer, bool]] = [(document, path, False)]
    pop, push = stack.pop, stack.append
    while stack:
        node, where, in_example = pop()
        if isinstance(node, dict):
            out.append((where, node, in_example))
            below = []
            properties = where.endswith("/properties")
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    token = key.replace("~", "~0").replace("/", "~1") if "~" in key or "/" in key else key
                    below.append(
                        (value, f"{where}/{token}", in_example or (key in EXAMPLE_KEYS and not properties))
                    )
            stack.extend(reversed(below))
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                value = node[index]
                if isinstance(value, (dict, list)):
                    push((value, f"{where}/{index}", in_example))
    return out


def with_integer_bounds(node: Any) -> Any:
    """OpenAPI's ``int32``/``int64`` formats as JSON Schema bounds (JSON Schema has no such format)."""
    if isinstance(node, list):
        return [with_integer_bounds(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: with_integer_bounds(v) for k, v in node.items()}
    bounds = INTEGER_BOUNDS.get(str(node.get("format")))
    kind = node.get("type")
    kinds: list[Any] = kind if isinstance(kind, list) else [kind]
    if bounds is not None and "integer" in kinds:
        out.setdefault("minimum", bounds[0])
        out.setdefault("maximum", bounds[1])
    return out


_DYNAMIC = frozenset(
    {
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "dependentSchemas",
        "patternProperties",
        "additionalProperties",
        "unevaluatedProperties",
        "$dynamicRef",
    }
)
"""Keywords that make which properties a schema declares depend on the instance (or declare all)."""
_TWINS = "x-closed-schemas"
"""Where the closed components keep the closed twins of schema components (:meth:`Schemas._twinned`)."""
_REF_SCHEMAS = "#" + COMPONENT_SCHEMAS
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "readOnly",
        "writeOnly",
        "deprecated",
        "default",
        "example",
        "examples",
        "$comment",
    }
)
"""Keywords that say nothing about which values a schema accepts."""


_DEPTHS = "x-bounded-depth"
"""Where the closed components keep the depth ladder (:func:`_depth_ladder`)."""


def _free_form_depth() -> int:
    """How deep a value the closed validator accepts at a free-form place: half the depth a body may
    have at all, so a body the closed schema accepts stays within it wherever the declared part of the
    schema is at most as deep (a deeper free-form value is judged as before: the plain validator, the
    level walk)."""
    from contracts.spec import MAX_DEPTH

    return MAX_DEPTH // 2


def _depth_ladder() -> dict[str, Any]:
    """Schemas ``"0"`` … ``"N"``: ``"k"`` accepts any value nested at most ``k`` deep (``"0"``: a
    scalar; ``"k"``: an object or array of values ``"k-1"`` accepts)."""
    ladder: dict[str, Any] = {"0": {"type": ["string", "number", "boolean", "null"]}}
    for k in range(1, _free_form_depth() + 1):
        below = {"$ref": f"#/components/{_DEPTHS}/{k - 1}"}
        ladder[str(k)] = {"additionalProperties": below, "items": below}
    return ladder


def _bound_free_form(node: dict[str, Any]) -> None:
    """A free-form object (``additionalProperties: true``, nothing declared) in a closed schema takes
    members of a bounded depth (:func:`_depth_ladder`): the closed validator then bounds the depth of
    what it accepts (:func:`contracts.schema_depth.depth_bound`), and the level walk a body's depth
    needs is left out for a body it accepts."""
    if (
        node.get("additionalProperties") is True
        and not node.get("properties")
        and not node.get("patternProperties")
    ):
        node["additionalProperties"] = {"$ref": f"#/components/{_DEPTHS}/{_free_form_depth() - 1}"}


def _never_object(schema: Any) -> bool:
    """True when ``schema``'s own ``type`` refuses every object (``{"type": "null"}``)."""
    if not isinstance(schema, dict) or "type" not in schema:
        return schema is False
    kind = schema["type"]
    return "object" not in (kind if isinstance(kind, list) else [kind])


def _object_branch(schema: dict[str, Any]) -> tuple[str, int] | None:
    """(keyword, index) when ``schema`` is an ``anyOf``/``oneOf`` (annotations beside it at most) one
    branch of which alone may accept an object, the others' ``type`` refusing objects (a nullable
    ``[{"$ref": ...}, {"type": "null"}]``): at an object only that branch applies, so closing it
    closes the whole, and ``unevaluatedProperties`` (every branch evaluated again for its
    annotations) is not needed."""
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list) and schema.keys() - {keyword} <= _ANNOTATIONS:
            open_to_objects = [i for i, sub in enumerate(branches) if not _never_object(sub)]
            return (keyword, open_to_objects[0]) if len(open_to_objects) == 1 else None
    return None


_NOT_SCHEMA = frozenset(
    {"const", "enum", "default", "example", "examples", "properties", "patternProperties"}
)
"""Keys whose values are data or name maps, not schemas (name maps' values are visited one by one)."""


def _schema_nodes(document: Any) -> Iterator[dict[str, Any]]:
    """Every object of ``document`` that may be a schema (values of data keywords and ``x-`` keys
    skipped), before its children are changed by the caller."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            yield node
            for key, value in node.items():
                if key in ("properties", "patternProperties") and isinstance(value, dict):
                    stack.extend(value.values())
                elif key not in _NOT_SCHEMA and not key.startswith("x-"):
                    stack.append(value)


def component_name(pointer: Pointer) -> str | None:
    """``/components/schemas/Date`` → ``Date``; None for any other pointer."""
    if pointer.startswith(COMPONENT_SCHEMAS):
        rest = pointer[len(COMPONENT_SCHEMAS) :]
        if rest and "/" not in rest:
            return unescape_token(rest)
    return None


class Schemas:
    """Compiled validators, walks and memos of one spec (``spec.schemas``; built on first use)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._validators: dict[int, tuple[Any, Any]] = {}
        self._memo: dict[Hashable, Any] = {}

    # -- compiling ------------------------------------------------------------------------------
    @functools.cached_property
    def components(self) -> Any:
        """The spec's components with integer bounds, bundled beside every compiled root."""
        return with_integer_bounds(self.spec.raw.get("components", {}))

    def compile(self, schema: Any) -> Any:
        """A new jsonschema-rs validator for ``schema`` whose local ``$ref`` resolve against the spec."""
        import jsonschema_rs

        bundled = {"$schema": DIALECT, **with_integer_bounds(schema), "components": self.components}
        return jsonschema_rs.validator_for(bundled, validate_formats=True)

    def validator(self, schema: Any) -> Any:
        """The compiled validator of the schema object ``schema`` (cached by identity: spec nodes live
        as long as the spec)."""
        cached = self._validators.get(id(schema))
        if cached is None or cached[0] is not schema:  # identity guards against a reused id()
            cached = self._validators[id(schema)] = (schema, self.compile(schema))
        return cached[1]

    # -- closed schemas: "no property the schema does not declare", judged by the compiled validator --
    @functools.cached_property
    def _closed_components(self) -> Any:
        closed = with_integer_bounds(self.spec.raw.get("components", {}))
        for node in _schema_nodes(closed):
            self._close_children(node)
            _bound_free_form(node)
        closed[_DEPTHS] = _depth_ladder()
        if self._twinned:
            schemas = closed["schemas"]
            closed[_TWINS] = {
                name: {**schemas[name], "additionalProperties": False} for name in self._twinned
            }
        return closed

    @functools.cached_property
    def _twinned(self) -> frozenset[str]:
        """Schema components that are one static part declaring ``properties`` (no ``$ref``, ``allOf``
        or keyword in :data:`_DYNAMIC`): each has a closed twin, itself with ``additionalProperties:
        false``, under :data:`_TWINS` in the closed components. A ``$ref`` to one is closed by pointing
        at its twin: one validation of the object, not the component's and then the declared names'."""
        schemas = self.spec.raw.get("components", {}).get("schemas")
        return frozenset(
            name
            for name, node in (schemas.items() if isinstance(schemas, dict) else ())
            if isinstance(node, dict)
            and "properties" in node
            and "$ref" not in node
            and "allOf" not in node
            and _DYNAMIC.isdisjoint(node)
        )

    def _twin(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        """``schema`` pointing at the closed twin of its target, when it is a ``$ref`` (annotations
        beside it at most) to a component that has one."""
        ref = schema.get("$ref")
        if (
            not isinstance(ref, str)
            or not ref.startswith(_REF_SCHEMAS)
            or not schema.keys() - {"$ref"} <= _ANNOTATIONS
        ):
            return None
        tail = ref[len(_REF_SCHEMAS) :]
        found = self.target(ref)
        if "/" in tail or found is None or component_name(found[0]) not in self._twinned:
            return None
        return {**schema, "$ref": f"#/components/{_TWINS}/{tail}"}

    def closed_validator(self, schema: Any) -> Any:
        """A validator of ``schema`` that also refuses, at every place whose schema declares
        ``properties``, a property no applicable part declares (``unevaluatedProperties: false``
        around it): valid means ``undocumented_property`` has nothing to find, so the check walks a
        body in Python only when this fails (cached by identity, like :meth:`validator`)."""

        def build() -> Any:
            import jsonschema_rs

            return jsonschema_rs.validator_for(self._closed_bundle(schema), validate_formats=True)

        found = self.memo(("schemas.closed", id(schema)), lambda: (schema, build()))
        return found[1] if found[0] is schema else build()

    def closed_depth(self, schema: Any, limit: int) -> int | None:
        """How deep a value :meth:`closed_validator` accepts can nest (:func:`~contracts.schema_depth.
        depth_bound` of the very schema it compiles); None when unbounded or deeper than ``limit``."""
        from contracts.schema_depth import depth_bound

        def build() -> int | None:
            bundled = self._closed_bundle(schema)
            return depth_bound(bundled, bundled, limit)

        found = self.memo(("schemas.closed_depth", id(schema), limit), lambda: (schema, build()))
        return found[1] if found[0] is schema else build()

    def _closed_bundle(self, schema: Any) -> dict[str, Any]:
        """The closed schema of ``schema`` with the closed components beside it: what
        :meth:`closed_validator` compiles and :meth:`closed_depth` bounds, built once for both."""

        def build() -> dict[str, Any]:
            root = with_integer_bounds(schema)
            for node in _schema_nodes(root):
                self._close_children(node)
                _bound_free_form(node)
            return {"$schema": DIALECT, **self._closed(root), "components": self._closed_components}

        found = self.memo(("schemas.closed_bundle", id(schema)), lambda: (schema, build()))
        return found[1] if found[0] is schema else build()

    def _declares(self, schema: Any) -> bool:
        """Whether any part that may apply at ``schema``'s place declares ``properties``."""
        return any("properties" in node for node, _ in self.parts([(schema, "")]))

    def _closed(self, schema: Any) -> Any:
        """``schema`` refusing undeclared properties at its place. Where every applicable part is
        static (no branch, pattern, additional schema or conditional decides what applies), the
        declared names are known here and ``additionalProperties: false`` says it for a fraction of
        ``unevaluatedProperties``' cost (which re-evaluates the subtree to collect annotations)."""
        if not isinstance(schema, dict):
            return schema
        twin = self._twin(schema)
        if twin is not None:
            return twin
        branch = _object_branch(schema)
        if branch is not None:  # closed in the one branch an object can take
            keyword, index = branch
            branches = list(schema[keyword])
            branches[index] = self._closed(branches[index])
            return {**schema, keyword: branches}
        parts = [node for node, _ in self.parts([(schema, "")])]
        if not any("properties" in node for node in parts):
            return schema
        if any(not _DYNAMIC.isdisjoint(node) for node in parts):
            return {"allOf": [schema], "unevaluatedProperties": False}
        if len(parts) == 1 and "$ref" not in schema:
            return {**schema, "additionalProperties": False}
        names = {name: True for node in parts for name in node.get("properties") or {}}
        return {"allOf": [schema], "properties": names, "additionalProperties": False}

    def _close_children(self, node: dict[str, Any]) -> None:
        for keyword in ("properties", "patternProperties"):
            children = node.get(keyword)
            if isinstance(children, dict):
                for name, child in children.items():
                    children[name] = self._closed(child)
        for keyword in ("additionalProperties", "items"):
            if isinstance(node.get(keyword), dict):
                node[keyword] = self._closed(node[keyword])

    def is_valid(self, schema: Any, instance: Any) -> bool:
        """Whether ``instance`` is valid for ``schema`` (``true``/``false`` schemas included)."""
        if not isinstance(schema, dict):
            return schema is not False
        return bool(self.validator(schema).is_valid(instance))

    def memo(self, key: Hashable, build: Callable[[], T]) -> T:
        """``build()``, computed once per spec and ``key``: the per-spec cache every layer shares."""
        try:
            found: T = self._memo[key]
        except KeyError:
            found = self._memo[key] = build()
        return found

    # -- walking --------------------------------------------------------------------------------
    @functools.cached_property
    def objects(self) -> Walked:
        """Every object of the document (:func:`walk`), walked once and shared by the lint rules."""
        return walk(self.spec.raw)

    def target(self, ref: Any) -> tuple[Pointer, Any] | None:
        """(pointer, value) of a local ``$ref``; None when it is not local or points nowhere."""
        if not isinstance(ref, str) or not ref.startswith("#"):
            return None
        try:
            return ref[1:], resolve_pointer(self.spec.raw, ref[1:])
        except (KeyError, IndexError, ValueError):
            return None  # dangling: the linter's finding

    def parts(
        self, schemas: list[tuple[Any, Pointer]], choose: Choose | None = None
    ) -> Iterator[tuple[dict[str, Any], Pointer]]:
        """(schema object, pointer) of every part that applies at one place, each once, in order.

        ``$ref`` is followed (keeping sibling keywords: its node is a part too), ``allOf`` parts all
        apply, ``anyOf``/``oneOf`` branches those ``choose`` keeps (all by default).
        """
        seen: set[int] = set()
        stack = list(reversed(schemas))
        while stack:
            node, where = stack.pop()
            if not isinstance(node, dict) or id(node) in seen:
                continue
            seen.add(id(node))
            yield node, where
            pending: list[tuple[Any, Pointer]] = []
            found = self.target(node.get("$ref")) if "$ref" in node else None
            if found is not None:
                pending.append((found[1], found[0]))
            for keyword in ("allOf", "anyOf", "oneOf"):
                branches = node.get(keyword)
                if not isinstance(branches, list):
                    continue
                chosen = list(enumerate(branches))
                if choose is not None and keyword != "allOf":
                    chosen = choose(chosen) or chosen
                pending.extend((sub, f"{where}/{keyword}/{i}") for i, sub in chosen)
            stack.extend(reversed(pending))

    # -- facts read from the schemas ------------------------------------------------------------
    @functools.cached_property
    def format_components(self) -> dict[str, str]:
        """String components with a pattern: ``format: date`` → ``"date"``; ``*Timestamp`` → ``"timestamp"``."""
        kinds: dict[str, str] = {}
        schemas = self.spec.raw.get("components", {}).get("schemas", {})
        for name, schema in schemas.items() if isinstance(schemas, dict) else ():
            if not isinstance(schema, dict) or "pattern" not in schema:
                continue
            if schema.get("format") == "date":
                kinds[name] = "date"
            elif name.endswith("Timestamp"):
                kinds[name] = "timestamp"
        return kinds

    @functools.cached_property
    def no_error(self) -> dict[str, Any] | None:
        """The sentinel entry ``{code: 0, message: ""}`` from the ``NoError`` component (its properties'
        ``const``; None when the spec has no such component)."""
        props = self.component(NO_ERROR_SCHEMA).get("properties")
        if not isinstance(props, dict) or not all(
            isinstance(p, dict) and "const" in p for p in props.values()
        ):
            return None
        return {name: prop["const"] for name, prop in props.items()}

    def is_no_error(self, entry: Any) -> bool:
        """Whether ``entry`` of ``errors`` is the "no error" sentinel: its values as ``NoError`` fixes them
        (``0``, not ``False``); other keys are additive, as everywhere."""
        sentinel = self.no_error
        return (
            sentinel is not None
            and isinstance(entry, dict)
            and all(
                k in entry and entry[k] == v and isinstance(entry[k], bool) == isinstance(v, bool)
                for k, v in sentinel.items()
            )
        )

    @functools.cached_property
    def refs(self) -> list[tuple[Pointer, str]]:
        """(pointer of the object, its ``$ref``) of every string ``$ref`` in the document, in order."""
        return [(path, node["$ref"]) for path, node, _ in self.objects if isinstance(node.get("$ref"), str)]

    def component(self, name: str) -> dict[str, Any]:
        """The named schema component (``{}`` when absent)."""
        schemas = self.spec.raw.get("components", {}).get("schemas", {})
        found = schemas.get(name) if isinstance(schemas, dict) else None
        return found if isinstance(found, dict) else {}

    def value_at(self, pointer: Pointer, default: Any = None) -> Any:
        """The value at ``pointer`` in the spec (``default`` when absent)."""
        try:
            return resolve_pointer(self.spec.raw, pointer)
        except (KeyError, IndexError, ValueError):
            return default

    def response_schema_pointer(self, response_pointer: Pointer, media_type: str = JSON_MEDIA) -> Pointer:
        return f"{response_pointer}/content/{escape_token(media_type)}/schema"


# -- strict expansion: for tools that must refuse a broken document rather than skip its broken parts --
def local_target(document: Any, ref: Any, pointer: Pointer) -> tuple[Pointer, Any]:
    """(pointer, value) a local ``$ref`` names (percent-encoding allowed), from the node at ``pointer``;
    SpecError naming ``pointer`` when it is not local or points nowhere."""
    from urllib.parse import unquote

    from contracts.errors import SpecError

    if not isinstance(ref, str) or not ref.startswith("#"):
        raise SpecError(f"{pointer}/$ref: cannot resolve {ref!r} (only local '#/…' references)")
    target = unquote(ref[1:])
    try:
        return target, resolve_pointer(document, target)
    except (KeyError, IndexError, ValueError):
        raise SpecError(f"{pointer}/$ref: {ref!r} points nowhere") from None


def conjunction(
    document: Any, schema: Any, pointer: Pointer, *, max_depth: int = 64
) -> list[tuple[Pointer, Any]]:
    """(pointer, schema) of every part ``schema`` is the conjunction of: its ``$ref`` target and its
    ``allOf`` parts, recursively, each before the schema naming it (``schema`` itself comes last);
    boolean schemas as they are. A ``$ref`` already being expanded is skipped (a cycle adds nothing).

    Strict, unlike :meth:`Schemas.parts`: a part that is not a schema, an ``allOf`` that is not a list,
    a non-local or dangling ``$ref`` or nesting deeper than ``max_depth`` is a SpecError naming its place.
    """
    from contracts.errors import SpecError

    out: list[tuple[Pointer, Any]] = []

    def expand(at: Pointer, node: Any, refs: tuple[str, ...], depth: int) -> None:
        if isinstance(node, bool):
            out.append((at, node))
            return
        if not isinstance(node, dict):
            raise SpecError(f"{at or '/'}: a schema must be an object, not {type(node).__name__}")
        if depth > max_depth:
            raise SpecError(f"{at}: $ref/allOf nested more than {max_depth} levels deep")
        ref = node.get("$ref")
        if "$ref" in node and ref not in refs:
            target_at, target = local_target(document, ref, at)
            expand(target_at, target, (*refs, str(ref)), depth + 1)
        parts = node.get("allOf", [])
        if not isinstance(parts, list):
            raise SpecError(f"{at}/allOf: must be a list")
        for index, sub in enumerate(parts):
            expand(join_pointer(at, "allOf", index), sub, refs, depth + 1)
        out.append((at, node))

    expand(pointer, schema, (), 0)
    return out
