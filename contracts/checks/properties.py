"""Response properties the schema does not declare: the API's additive changes, made visible.

Unknown properties are allowed by the spec (an additive change is not breaking), so the schema check
stays quiet about them; this check names each one with its JSON pointer at warning severity, so every
report shows the drift. ``strict`` (the mock's self-check, ``--strict`` runs) makes it an error, so a
misspelled field fails loudly. An object schema that declares no ``properties`` at all (a free-form
object such as a customer's ``customFields``) declares nothing to compare with and is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from contracts.checks import CheckContext, check
from contracts.findings import Finding
from contracts.spec import Spec, escape_token, unescape_token

_MAX_DEPTH = 64


def _parts(spec: Spec, schema: Any, instance: Any, where: str) -> list[tuple[dict[str, Any], str]]:
    """(node, spec pointer) of the schema nodes that apply to ``instance``: ``$ref`` followed, ``allOf``
    all, ``anyOf``/``oneOf`` the branches the instance satisfies (all when none does: nothing hidden)."""
    layer = spec.schemas

    def satisfied(branches: list[tuple[int, Any]]) -> list[tuple[int, Any]]:
        return [(i, b) for i, b in branches if layer.is_valid(b, instance)]

    return list(layer.parts([(schema, where)], satisfied))


def undeclared(
    spec: Spec, schema: Any, instance: Any, where: str = "", path: str = "", depth: int = 0
) -> Iterator[tuple[str, str]]:
    """(JSON pointer, spec pointer of the object schema) of each property ``schema`` does not declare."""
    if depth > _MAX_DEPTH or instance is None:
        return
    parts = _parts(spec, schema, instance, where)
    if isinstance(instance, dict):
        declared: dict[str, list[tuple[Any, str]]] = {}
        patterns: list[tuple[str, Any, str]] = []
        extra: list[tuple[Any, str]] = []
        owner = ""
        for part, at in parts:
            for name, sub in (part.get("properties") or {}).items():
                declared.setdefault(name, []).append((sub, f"{at}/properties/{escape_token(name)}"))
            for pattern, sub in (part.get("patternProperties") or {}).items():
                patterns.append((pattern, sub, f"{at}/patternProperties/{escape_token(pattern)}"))
            additional = part.get("additionalProperties")
            if isinstance(additional, dict) or additional is True:
                extra.append((additional, f"{at}/additionalProperties"))
            if "properties" in part and not owner:
                owner = at
        for key, value in instance.items():
            here = f"{path}/{escape_token(str(key))}"
            subs = declared.get(key) or [(s, at) for p, s, at in patterns if re.search(p, str(key))] or extra
            if not subs:
                if owner:
                    yield here, owner
                continue
            for sub, at in subs:
                yield from undeclared(spec, sub, value, at, here, depth + 1)
    elif isinstance(instance, list):
        items = [(p["items"], f"{at}/items") for p, at in parts if isinstance(p.get("items"), dict)]
        for index, value in enumerate(instance):
            for sub, at in items:
                yield from undeclared(spec, sub, value, at, f"{path}/{index}", depth + 1)


@check(requires=["json", "documented_status"], severity="warning", quiet=["declares_all"])
def undocumented_property(ctx: CheckContext) -> Iterator[Finding]:
    """Each response property the documented schema does not declare (warning; an error when strict)."""
    ex = ctx.exchange
    documented = ctx.plan
    if documented is None or documented.schema is None:
        return
    if documented.declares_all(ex):
        return  # the compiled, closed schema found no undeclared property: no body walk in Python
    seen: set[str] = set()
    root = f"{documented.pointer}/content/application~1json/schema"
    for pointer, owner in undeclared(ctx.spec, documented.schema, ex.json, root):
        if pointer in seen:  # the same object reached through two branches
            continue
        seen.add(pointer)
        name = unescape_token(pointer.rsplit("/", 1)[-1])
        yield ctx.finding(
            f"property {name!r} is not declared by the response schema ({owner.rsplit('/', 1)[-1]})",
            pointer=pointer,
            spec_pointer=owner,
            severity="warning",
            expected="a declared property",
            actual=name,
        )
