"""Response schemas compiled into shapes: a reply is the projection of the store's records onto them.

A :class:`Shape` says, for one place of a response schema (through ``$ref``, ``allOf``, ``anyOf``,
``oneOf``), which properties an object there may carry and the shape of each, the shape of array
items, and which properties are ``readOnly`` (set by the server: the store fills them, a request
cannot). :meth:`Shape.project` keeps exactly what the schema declares, so a reply has no field the
spec does not know, and a property renamed in the spec is renamed in the reply with no code change.
Where no part declares ``properties`` (free-form objects), values pass as they are, as the
``undocumented_property`` check judges them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.schemas import json_media

if TYPE_CHECKING:
    from contracts.spec import Operation, Spec

DATA = "data"
"""The envelope's payload property (docs/spec-conventions.md: every reply is an envelope)."""
MAX_DEPTH = 16
"""Response schemas nest a few levels; a deeper place is a recursive schema, left free-form there."""


class Shape:
    """What a response schema lets a reply carry at one place."""

    __slots__ = ("_server_set", "extra", "flat", "items", "nested", "props", "read_only", "schemas")

    def __init__(self) -> None:
        self.props: dict[str, Shape | None] | None = None
        """Declared property → its shape (``None``: any value); ``None``: free-form (no ``properties``)."""
        self.extra: Shape | bool | None = False
        """``additionalProperties``: a shape, ``True`` (anything) or ``False`` (only the declared)."""
        self.items: Shape | None = None
        self.read_only: frozenset[str] = frozenset()
        self.schemas: list[dict[str, Any]] = []
        """The schema parts that apply here (for behaviours that read a keyword, e.g. a default)."""
        self._server_set: list[tuple[str, Shape]] | None = None
        self.nested: tuple[tuple[str, Shape], ...] = ()
        """The declared properties whose shape constrains something below (set once the shape is built)."""
        self.flat: Any = None
        """The declared names, when nothing below them is constrained: a dict within them is clean as is."""

    def project(self, value: Any) -> Any:
        """``value`` with only what the schema declares, recursively; the input is never changed.

        Hot (every reply), so copy-on-write: an object with no undeclared key and nothing to change
        below is answered as it is (store records usually are), only what must change is copied."""
        kind = type(value)
        if kind is dict:
            props = self.props
            if props is None:
                return value
            if self.extra is not False:
                return self._open(value, props)
            if not value.keys() <= props.keys():
                return {
                    k: v if (sub := props[k]) is None else sub.project(v)
                    for k, v in value.items()
                    if k in props
                }
            out = value
            for name, sub in self.nested:
                if name in value:
                    item = value[name]
                    flat = sub.flat
                    if flat is not None and type(item) is dict and item.keys() <= flat:
                        continue  # a clean leaf object: no call
                    projected = sub.project(item)
                    if projected is not item:
                        if out is value:
                            out = dict(value)
                        out[name] = projected
            return out
        if kind is list and self.items is not None:
            items = self.items
            flat = items.flat
            if flat is not None:
                for v in value:
                    if type(v) is not dict or not v.keys() <= flat:
                        break
                else:
                    return value
            project = items.project
            for index, v in enumerate(value):
                projected = project(v)
                if projected is not v:  # copy from the first item that changes, as for objects
                    return [*value[:index], projected, *(project(w) for w in value[index + 1 :])]
            return value
        return value

    def _open(self, value: dict[str, Any], props: dict[str, Shape | None]) -> dict[str, Any]:
        extra = self.extra
        out = {}
        for key, item in value.items():
            if key in props:
                sub = props[key]
                out[key] = item if sub is None else sub.project(item)
            elif extra is True:
                out[key] = item
            elif isinstance(extra, Shape):
                out[key] = extra.project(item)
        return out

    def prop(self, name: str) -> Shape:
        """The shape of property ``name`` (a free shape when undeclared or any value goes)."""
        found = (self.props or {}).get(name)
        return found if found is not None else FREE

    def item(self) -> Shape:
        """The shape of this array's items (a free shape when none is declared)."""
        return self.items if self.items is not None else FREE

    def writable(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` without the properties the server sets (``readOnly``): a request cannot set them."""
        read_only = self.read_only
        return {k: v for k, v in record.items() if k not in read_only} if read_only else dict(record)

    def declared_by(self, other: Shape) -> bool:
        """Whether every schema part declaring this shape's properties applies at ``other`` too (the same
        component answered in another place: a create's ``data`` and a list's items)."""
        mine = {id(p) for p in self.schemas if "properties" in p}
        return bool(mine) and mine <= {id(p) for p in other.schemas}

    def server_set(self) -> list[tuple[str, Shape]]:
        """The ``readOnly`` properties with their shapes, in the schema's order (computed once: shapes are
        complete once :class:`Shapes` has built them)."""
        if self._server_set is None:
            self._server_set = [
                (name, self.prop(name)) for name in self.props or () if name in self.read_only
            ]
        return self._server_set

    def is_stamp(self) -> bool:
        """An object whose every property the server sets (``Attribution``: created/updated on and by)."""
        return bool(self.props) and set(self.props or ()) == self.read_only


FREE = Shape()


class Shapes:
    """The shapes of one spec's schemas, built once (shared subschemas share one shape)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self._built: dict[tuple[int, ...], Shape] = {}

    def of(self, schema: Any) -> Shape | None:
        """The shape of ``schema`` (``None`` when nothing there constrains a reply's fields)."""
        return self._of([schema], 0)

    def _of(self, schemas: list[Any], depth: int) -> Shape | None:
        parts = [node for node, _ in self.spec.schemas.parts([(s, "") for s in schemas])]
        key = tuple(id(p) for p in parts)
        if key in self._built:
            built = self._built[key]
            return None if built is FREE else built
        shape = self._built[key] = Shape()
        shape.schemas = parts
        declared: dict[str, list[Any]] = {}
        items: list[Any] = []
        extras: list[Any] = []
        read_only: set[str] = set()
        for part in parts:
            for name, sub in (part.get("properties") or {}).items():
                declared.setdefault(name, []).append(sub)
                if isinstance(sub, dict) and sub.get("readOnly") is True:
                    read_only.add(name)
            if isinstance(part.get("items"), (dict, bool)):
                items.append(part["items"])
            if "additionalProperties" in part and part["additionalProperties"] is not False:
                extras.append(part["additionalProperties"])
        deeper = depth < MAX_DEPTH
        if any("properties" in p for p in parts):
            shape.props = {n: self._merged(subs, depth) if deeper else None for n, subs in declared.items()}
            if extras:
                merged = self._merged(extras, depth) if deeper else None
                shape.extra = True if merged is None else merged
        if items and deeper:
            shape.items = self._merged(items, depth)
        shape.read_only = frozenset(read_only)
        shape.nested = tuple((n, sub) for n, sub in (shape.props or {}).items() if sub is not None)
        if shape.props is not None and not shape.nested and shape.extra is False and shape.items is None:
            shape.flat = shape.props.keys()
        if shape.props is None and shape.items is None:
            self._built[key] = FREE
            return None
        return shape

    def _merged(self, schemas: list[Any], depth: int) -> Shape | None:
        return self._of(schemas, depth + 1)

    def reply(self, op: Operation) -> Shape:
        """The shape of ``data`` in ``op``'s success reply (its lowest documented 2xx, JSON)."""
        for status in sorted(s for s in op.statuses if s.startswith("2") and s.isdigit()):
            media = json_media(op.response(int(status)))
            if media is not None and "schema" in media:
                envelope = self.of(media["schema"])
                if envelope is not None:
                    return envelope.prop(DATA)
        return FREE
