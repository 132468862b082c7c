"""Validate OCDS release packages offline against the official 1.1.5 schemas and extensions.

The release schema is patched with the Enquiries extension (RFC 7396 JSON Merge Patch, as OCDS
tools apply extensions), and the package schema's reference to the release schema's URL resolves
to that patched local copy: no network. Format checks (date-time, uri) are on; they need
jsonschema's format-nongpl extra, which the test dependencies install.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMAS = Path(__file__).resolve().parent / "schemas"
RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
EXTENSIONS = ("ocds-enquiry-extension",)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: objects merge member by member, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _load(*parts: str) -> Any:
    return json.loads(SCHEMAS.joinpath(*parts).read_text(encoding="utf-8"))


def release_schema() -> dict[str, Any]:
    """The OCDS 1.1.5 release schema with the vendored extensions applied."""
    schema = _load("ocds-1.1.5", "release-schema.json")
    for extension in EXTENSIONS:
        schema = merge_patch(schema, _load(extension, "release-schema.json"))
    return schema


@cache
def package_validator() -> Draft4Validator:
    """A Draft 4 validator for release packages, with format checks, resolving offline."""
    release = Resource.from_contents(release_schema(), default_specification=DRAFT4)
    registry: Registry = Registry().with_resource(RELEASE_SCHEMA_URL, release)
    package = _load("ocds-1.1.5", "release-package-schema.json")
    Draft4Validator.check_schema(package)
    return Draft4Validator(
        package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER
    )


def validation_errors(package: Any) -> list[str]:
    """Every schema error as 'path: message', plus ids repeated within an array."""
    errors = sorted(
        package_validator().iter_errors(package), key=lambda e: [str(p) for p in e.absolute_path]
    )
    found = [f"{_path(e.absolute_path)}: {e.message}" for e in errors]
    return found + _repeated_ids(package, [])


def assert_valid_package(package: Any) -> None:
    """Fail with every error listed, or pass for a package with none."""
    errors = validation_errors(package)
    assert not errors, "OCDS validation errors:\n" + "\n".join(errors)


def _repeated_ids(node: Any, path: list[str | int]) -> list[str]:
    """OCDS merges array items by id, so two items with one id in an array are an error too."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _repeated_ids(value, [*path, key])
    elif isinstance(node, list):
        ids = [item["id"] for item in node if isinstance(item, dict) and "id" in item]
        found += [
            f"{_path(path)}: id {i!r} repeated"
            for i in sorted(set(ids), key=str)
            if ids.count(i) > 1
        ]
        for index, item in enumerate(node):
            found += _repeated_ids(item, [*path, index])
    return found


def _path(parts: Any) -> str:
    return "/".join(str(p) for p in parts) or "(package)"
