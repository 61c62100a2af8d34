"""Generators other teams run read the whole spec: openapi-python-client and openapi-typescript.

They are run as such a team would (default options) and fail on any warning, skipped operation,
omitted response, dropped parameter or schema. The spec's shape was changed for them (spec/NOTES.md,
"Third-party generators"); the last tests prove that change left every verdict as it was.
Versions are pinned: openapi-python-client in pyproject.toml and constraints.txt, openapi-typescript in
:data:`OPENAPI_TYPESCRIPT`.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest

from contracts.spec import DEFAULT_SPEC_PATH, Operation, Spec

OPENAPI_TYPESCRIPT = "openapi-typescript@7.13.0"
BIN = Path(sys.executable).parent
PAYLOADS = Path(__file__).resolve().parent / "payloads"
SCHEMA_REF = "#/components/schemas/"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _norm(name: str) -> str:
    """Names compared across tools' spelling conventions (``targetGroupId`` ~ ``target_group_id``)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _ref_name(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.removeprefix(SCHEMA_REF) if isinstance(ref, str) and ref.startswith(SCHEMA_REF) else None


def _model_components(spec: Spec) -> set[str]:
    """Components a generator must turn into a class: objects, compositions and enums."""
    schemas: dict[str, Any] = spec.raw["components"]["schemas"]
    return {
        name
        for name, schema in schemas.items()
        if "enum" in schema or schema.get("type") == "object" or "properties" in schema or "allOf" in schema
    }


def _run(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "NO_COLOR": "1"}
    try:
        return subprocess.run(
            args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{Path(args[0]).name} {args[1]} did not finish in {timeout:.0f} s")


# --- openapi-python-client ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedOperation:
    """One ``api/<tag>/<operation>.py`` module of the generated client, read back."""

    file: Path
    method: str
    template: str
    signature: str
    statuses: frozenset[str]
    parsed_as: dict[str, str]


def _read_operation(file: Path) -> GeneratedOperation:
    source = file.read_text(encoding="utf-8")
    method = re.search(r'"method": "(\w+)"', source)
    url = re.search(r'"url": "([^"]+)"', source)
    signature = re.search(r"def _get_kwargs\((.*?)\) ->", source, re.S)
    assert method and url and signature, f"{file}: no request built (method, url, _get_kwargs)"
    return GeneratedOperation(
        file=file,
        method=method.group(1).upper(),
        template=_template(url.group(1)),
        signature=signature.group(1),
        statuses=frozenset(re.findall(r"response\.status_code == (\d+):", source)),
        parsed_as=dict(re.findall(r"response_(\d+) = (\w+)\.from_dict\(", source)),
    )


@dataclass(frozen=True)
class PythonClient:
    output: str
    returncode: int
    package: Path

    def operations(self) -> dict[tuple[str, str], GeneratedOperation]:
        files = sorted(f for f in (self.package / "api").glob("*/*.py") if f.name != "__init__.py")
        found = [_read_operation(f) for f in files]
        return {(op.method, op.template): op for op in found}

    def models(self) -> set[str]:
        init = (self.package / "models" / "__init__.py").read_text(encoding="utf-8")
        return set(re.findall(r'^\s+"(\w+)",$', init.split("__all__", 1)[1], re.M))


@pytest.fixture(scope="module")
def python_client(tmp_path_factory: pytest.TempPathFactory) -> PythonClient:
    """The client openapi-python-client generates from spec/v3.json, with its default options."""
    exe = BIN / "openapi-python-client"
    if not exe.exists():
        pytest.fail(f"{exe} is missing: it is a pinned dev dependency, run `make install`")
    root = tmp_path_factory.mktemp("opc")
    done = _run(
        [str(exe), "generate", "--path", str(DEFAULT_SPEC_PATH), "--meta", "none", "--output-path", "client"],
        root,
        timeout=300,
    )
    return PythonClient(done.stdout + done.stderr, done.returncode, root / "client")


@pytest.mark.slow
def test_python_client_generates_without_a_warning(python_client: PythonClient) -> None:
    """It prints only "Generating ...": a warning, a dropped schema or a failed post-hook is a failure."""
    assert python_client.returncode == 0, python_client.output
    lines = [line for line in python_client.output.splitlines() if line.strip()]
    assert len(lines) == 1, python_client.output
    assert lines[0].startswith("Generating "), python_client.output


@pytest.mark.slow
def test_python_client_has_every_operation(spec: Spec, python_client: PythonClient) -> None:
    generated = python_client.operations()
    wanted = {(op.method, _template(op.path)) for op in spec.operations}
    assert set(generated) == wanted


@pytest.mark.slow
def test_python_client_parses_every_documented_response(spec: Spec, python_client: PythonClient) -> None:
    """Each documented status has a branch, parsed into the class of its schema component."""
    generated = python_client.operations()
    for op in spec.operations:
        module = generated[(op.method, _template(op.path))]
        assert module.statuses == set(op.statuses), (op.operation_id, module.file)
        for status in op.statuses:
            component = _ref_name(op.response_schema(int(status)))
            if component is not None:
                assert module.parsed_as.get(status) == component, (op.operation_id, status, module.file)


@pytest.mark.slow
def test_python_client_takes_every_parameter_and_body(spec: Spec, python_client: PythonClient) -> None:
    generated = python_client.operations()
    for op in spec.operations:
        module = generated[(op.method, _template(op.path))]
        arguments = {_norm(a) for a in re.findall(r"(\w+):", module.signature)}
        for param in op.parameters():
            assert _norm(param["name"]) in arguments, (op.operation_id, param["name"], module.file)
        body = op.request_schema()
        if body is not None:
            match = re.search(r"\bbody: ([^\n]+?),?\n", module.signature)
            assert match, (op.operation_id, "no body argument", module.file)
            component = _ref_name(body)
            assert component is None or match.group(1) == component, (op.operation_id, match.group(1))


@pytest.mark.slow
def test_python_client_keeps_every_schema(spec: Spec, python_client: PythonClient) -> None:
    models = {_norm(m) for m in python_client.models()}
    dropped = sorted(name for name in _model_components(spec) if _norm(name) not in models)
    assert dropped == []
    assert {"TargetGroupFields", "TargetGroupCreateRequest", "TargetGroupUpdateRequest", "ErrorEnvelope"} <= (
        python_client.models()
    )


def _import_client(client: PythonClient) -> Any:
    """The generated package, imported from its temp dir as ``opc_client`` (its imports are relative)."""
    name = "opc_client"
    if name not in sys.modules:
        found = importlib.util.spec_from_file_location(
            name, client.package / "__init__.py", submodule_search_locations=[str(client.package)]
        )
        assert found is not None and found.loader is not None
        module = importlib.util.module_from_spec(found)
        sys.modules[name] = module
        found.loader.exec_module(module)
    return sys.modules[name]


def _body_classes(models: Any, schema: dict[str, Any]) -> dict[type, Any]:
    """JSON type of a request body (dict or list) → the generated class of it (of its items for a list)."""
    found: dict[type, Any] = {}
    for branch in schema.get("oneOf", [schema]):
        if (name := _ref_name(branch)) is not None:
            found[dict] = getattr(models, name)
        elif branch.get("type") == "array" and (name := _ref_name(branch.get("items"))) is not None:
            found[list] = getattr(models, name)
    return found


@pytest.mark.slow
def test_python_client_round_trips_every_real_payload(spec: Spec, python_client: PythonClient) -> None:
    """Every real response parsed by its operation's module, every real request by its body class,
    written back (``to_dict``) unchanged: nothing the API sends is lost or retyped."""
    package = _import_client(python_client)
    models = importlib.import_module("opc_client.models")
    client = importlib.import_module("opc_client.client").Client(base_url="http://127.0.0.1:9")
    modules = {
        key: importlib.import_module(f"opc_client.api.{op.file.parent.name}.{op.file.stem}")
        for key, op in python_client.operations().items()
    }
    assert package.__name__ == "opc_client"
    checked = 0
    for path in sorted(PAYLOADS.glob("*.json")):
        slug, side, status = path.stem.split("__")[:3]
        op, body = spec.operation(slug), json.loads(path.read_text(encoding="utf-8"))
        if side == "request":
            schema = op.request_schema()
            assert schema is not None, path.name
            cls = _body_classes(models, schema)[type(body)]
            back: Any = (
                [cls.from_dict(item).to_dict() for item in body]
                if isinstance(body, list)
                else cls.from_dict(body).to_dict()
            )
        else:
            code = int(status) if status.isdigit() else spec.error_catalogue[body["errors"][0]["code"]].status
            response = httpx.Response(code, json=body)
            parsed = modules[(op.method, _template(op.path))]._parse_response(
                client=client, response=response
            )
            assert parsed is not None, path.name
            back = parsed.to_dict()
        assert back == body, path.name
        checked += 1
    assert checked == len(list(PAYLOADS.glob("*.json"))) > 40


# --- openapi-typescript ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeScript:
    output: str
    returncode: int
    source: str


@pytest.fixture(scope="module")
def typescript(tmp_path_factory: pytest.TempPathFactory) -> TypeScript:
    """The types openapi-typescript (npx, pinned) writes for spec/v3.json."""
    npx = shutil.which("npx")
    if npx is None:
        pytest.skip("npx (node/npm) is not installed: openapi-typescript cannot be run")
    root = tmp_path_factory.mktemp("ts")
    done = _run(
        [npx, "--yes", OPENAPI_TYPESCRIPT, str(DEFAULT_SPEC_PATH), "--output", "schema.d.ts"],
        root,
        timeout=600,
    )
    out = root / "schema.d.ts"
    return TypeScript(
        done.stdout + done.stderr, done.returncode, out.read_text(encoding="utf-8") if out.exists() else ""
    )


def _section(source: str, start: str, end: str) -> str:
    assert start in source, start
    return source.split(start, 1)[1].split(end, 1)[0]


@pytest.mark.slow
def test_typescript_generates_without_a_warning(typescript: TypeScript) -> None:
    """Only its banner and the "spec → file" line; npm's own notices (``npm warn ...``) aside."""
    assert typescript.returncode == 0, typescript.output
    lines = [ln for ln in typescript.output.splitlines() if ln.strip() and not ln.startswith("npm ")]
    assert len(lines) == 2, typescript.output
    assert "openapi-typescript 7.13.0" in lines[0], typescript.output
    assert "schema.d.ts" in lines[1], typescript.output


@pytest.mark.slow
def test_typescript_has_every_operation_and_schema(spec: Spec, typescript: TypeScript) -> None:
    operations = _section(typescript.source, "export interface operations {", "\n}\n")
    typed = set(re.findall(r'^    "?([\w.-]+)"?: \{', operations, re.M))
    assert typed == {op.operation_id for op in spec.operations}
    schemas = _section(typescript.source, "export interface components {", "export type $defs")
    names = set(re.findall(r'^        "?([\w.-]+)"?\??: ', schemas, re.M))
    assert set(spec.raw["components"]["schemas"]) <= names


@pytest.mark.slow
def test_typescript_types_no_object_as_empty(typescript: TypeScript) -> None:
    """``Record<string, never>`` (what it makes of a property-less object) would forbid every key."""
    schemas = _section(typescript.source, "export interface components {", "export type $defs")
    assert [ln.strip() for ln in schemas.splitlines() if "Record<string, never>" in ln] == []


# --- the reshaped spec judges every body as before ---------------------------------------------------

OLD_ERROR_ENVELOPE: dict[str, Any] = {
    "allOf": [
        {"$ref": "#/components/schemas/Envelope"},
        {
            "type": "object",
            "required": ["data", "errors"],
            "properties": {
                "data": {"type": "null"},
                "errors": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/ApiError"},
                    "minItems": 1,
                },
            },
        },
    ]
}
"""``ErrorEnvelope`` as it was before issue 15."""


def _without_true_additional_properties(node: Any) -> Any:
    if isinstance(node, list):
        return [_without_true_additional_properties(v) for v in node]
    if not isinstance(node, dict):
        return node
    return {
        k: _without_true_additional_properties(v)
        for k, v in node.items()
        if not (k == "additionalProperties" and v is True)
    }


def _old_components(spec: Spec) -> dict[str, Any]:
    """The components in the shape before issue 15, whatever else has been added to them since."""
    components: dict[str, Any] = _without_true_additional_properties(copy.deepcopy(spec.raw["components"]))
    schemas = components["schemas"]
    schemas["ErrorEnvelope"] = copy.deepcopy(OLD_ERROR_ENVELOPE)
    schemas["TargetGroupUpdateRequest"]["allOf"] = [{"$ref": "#/components/schemas/TargetGroupFields"}]
    for schema in schemas.values():
        for part in schema.get("allOf", []):
            if "$ref" not in part and "required" in part:
                part.setdefault("type", "object")
    return components


def _validator(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(
        {"$schema": DIALECT, **schema, "components": components}, validate_formats=True
    )


REPLACEMENTS: tuple[Any, ...] = (None, 0, -1, 2**63, 1.5, "", "x", True, [], [{}], {}, {"code": "1"})
MAX_SITES = 120


def _sites(body: Any) -> list[tuple[Any, Any]]:
    """(container, key) of the body's values, breadth first (the envelope before what is deep inside)."""
    sites: list[tuple[Any, Any]] = []
    queue = [body]
    while queue and len(sites) < MAX_SITES:
        node = queue.pop(0)
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            sites.append((node, key))
            queue.append(value)
    return sites[:MAX_SITES]


def _mutants(body: Any) -> Iterator[Any]:
    """The body, then the body with one value replaced, one key dropped or one key added (in place)."""
    yield body
    for container, key in _sites(body):
        original = container[key]
        for value in REPLACEMENTS:
            container[key] = value
            yield body
        container[key] = original
        if isinstance(container, dict):
            del container[key]
            yield body
            container[key] = original
    if isinstance(body, dict):
        for key in ("data", "errors", "warnings", "unknownKey"):
            original = body.get(key, ...)
            body[key] = [{"code": 1, "message": "m"}]
            yield body
            if original is ...:
                del body[key]
            else:
                body[key] = original


def _schema_of(spec: Spec, path: Path) -> dict[str, Any] | None:
    """The schema a real payload is judged by: its operation's request body or documented response."""
    slug, side, status = path.stem.split("__")[:3]
    op: Operation = spec.operation(slug)
    if side == "request":
        return op.request_schema()
    body = json.loads(path.read_text(encoding="utf-8"))
    if status == "error":
        status = str(spec.error_catalogue[body["errors"][0]["code"]].status)
    return op.response_schema(int(status))


@pytest.mark.slow
def test_every_verdict_is_as_before(spec: Spec) -> None:
    """Every real payload and up to ~1,500 one-point mutations of each: the same verdict from both shapes."""
    old_components = _old_components(spec)
    new_components = spec.raw["components"]
    judged = rejected = 0
    files = sorted(PAYLOADS.glob("*.json")) + sorted((PAYLOADS / "rejected").glob("*.json"))
    assert len(files) > 40
    for path in files:
        schema = _schema_of(spec, path)
        assert schema is not None, path.name
        old, new = _validator(schema, old_components), _validator(schema, new_components)
        for body in _mutants(json.loads(path.read_text(encoding="utf-8"))):
            verdict = bool(new.is_valid(body))
            assert verdict == bool(old.is_valid(body)), (path.name, json.dumps(body)[:300])
            judged += 1
            rejected += not verdict
    assert rejected > judged / 2 > 10_000  # the corpus exercises both verdicts, mostly rejections


def test_error_envelope_is_the_envelope_narrowed(spec: Spec) -> None:
    """ErrorEnvelope writes the Envelope's fields out: the same keys, ``warnings`` unchanged."""
    schemas = spec.raw["components"]["schemas"]
    envelope, error = schemas["Envelope"], schemas["ErrorEnvelope"]
    assert "allOf" not in error
    assert error["type"] == envelope["type"] == "object"
    assert set(error["properties"]) == set(envelope["properties"])
    assert set(error["required"]) == set(envelope["required"])
    assert error["properties"]["warnings"] == envelope["properties"]["warnings"]
    assert error["properties"]["errors"]["items"] == envelope["properties"]["errors"]["items"]
    assert error.get("additionalProperties", True) is envelope.get("additionalProperties", True) is True


def test_the_old_shape_is_rebuilt(spec: Spec) -> None:
    """The reference of the verdict test differs from the spec where issue 15 changed it, nowhere else."""
    old = _old_components(spec)["schemas"]
    new = spec.raw["components"]["schemas"]
    changed = sorted(name for name in new if old[name] != new[name])
    assert {"ErrorEnvelope", "TargetGroupUpdateRequest", "TargetGroupCreateRequest"} <= set(changed)
    assert _without_true_additional_properties(new["Envelope"]) == old["Envelope"]
