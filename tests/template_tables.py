"""The tables of template.yaml as ``create_table`` arguments, so tests and benchmarks cannot drift from it."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[1] / "template.yaml"


@functools.cache
def _template() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(TEMPLATE.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def template_tables(prefix: str) -> dict[str, dict[str, Any]]:
    """``create_table`` arguments per environment variable that names a table (``CATALOGUE_TABLE`` ...).

    The variables come from the template's ``Globals`` (``CATALOGUE_TABLE: !Ref CatalogueTable``), the key
    schema, attributes and GSIs from the referenced ``AWS::DynamoDB::Table`` resources; names are
    ``{prefix}-{LogicalId}``.
    """
    template = _template()
    resources = template["Resources"]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    tables: dict[str, dict[str, Any]] = {}
    for name, value in variables.items():
        ref = value.get("Ref") if isinstance(value, dict) else None
        if ref not in resources or resources[ref]["Type"] != "AWS::DynamoDB::Table":
            continue
        properties = resources[ref]["Properties"]
        arguments = {
            "TableName": f"{prefix}-{ref}",
            "KeySchema": properties["KeySchema"],
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "BillingMode": properties["BillingMode"],
        }
        if "GlobalSecondaryIndexes" in properties:
            arguments["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        tables[name] = copy.deepcopy(arguments)
    return tables
