"""template.yaml → plain CloudFormation (aws-sam-translator, offline) → what the local cloud provisions.

Local CodeUri / DefinitionUri paths are swapped for placeholder S3 addresses before translating (the
translator wants S3) and remembered, so each function maps back to its real handler module.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
PLACEHOLDER_BUCKET = "motcua-local-code"


class _NoManagedPolicies:
    """The translator asks IAM for managed-policy ARNs; offline we answer with the well-known pattern."""

    def load(self) -> dict[str, str]:
        return {}

    def load_managed_policies(self) -> dict[str, str]:  # older translator versions
        return {}


@dataclass
class Translated:
    resources: dict[str, dict[str, Any]]
    parameters: dict[str, str]
    conditions: dict[str, Any]
    code_dirs: dict[str, str] = field(default_factory=dict)  # logical id of a function → code directory
    definitions: dict[str, str] = field(default_factory=dict)  # logical id of a state machine → ASL file


def load_sam(path: Path = TEMPLATE) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def translate(parameter_overrides: dict[str, str], path: Path = TEMPLATE) -> Translated:
    from samtranslator.translator.transform import transform

    sam = load_sam(path)
    original = copy.deepcopy(sam)
    code_uris: dict[str, str] = {}
    for logical_id, resource in sam["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            code_uris[logical_id] = props["CodeUri"]
            props["CodeUri"] = f"s3://{PLACEHOLDER_BUCKET}/{props['CodeUri'].strip('/')}.zip"
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = f"s3://{PLACEHOLDER_BUCKET}/{props['ContentUri'].strip('/')}.zip"
        elif resource["Type"] == "AWS::Serverless::StateMachine" and "DefinitionUri" in props:
            uri = props.pop("DefinitionUri")
            props["Definition"] = json.loads((ROOT / uri).read_text(encoding="utf-8"))
            code_uris[logical_id] = uri
    cfn = transform(sam, parameter_overrides, _NoManagedPolicies())
    parameters = {name: str(spec.get("Default", "")) for name, spec in original.get("Parameters", {}).items()}
    parameters.update(parameter_overrides)
    translated = Translated(
        resources=cfn["Resources"], parameters=parameters, conditions=cfn.get("Conditions", {})
    )
    for logical_id, uri in code_uris.items():
        if original["Resources"][logical_id]["Type"] == "AWS::Serverless::Function":
            translated.code_dirs[logical_id] = uri.strip("/")
        else:
            translated.definitions[logical_id] = uri
    return translated


def functions(sam: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in sam["Resources"].items() if v["Type"] == "AWS::Serverless::Function"}


def handler_module(code_dir: str, handler: str) -> tuple[str, str]:
    """('functions/api', 'app.app') → ('functions.api.app', 'app')."""
    module, _, attribute = handler.rpartition(".")
    return ".".join([*Path(code_dir).parts, module]), attribute
