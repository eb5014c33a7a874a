"""The layer ships exactly the runtime dependencies the project declares, and nothing of the dev tooling."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> list[str]:
    lines = (ROOT / "layers/core/python/requirements.txt").read_text().splitlines()
    return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def test_layer_requirements_equal_project_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert _requirements() == sorted(project["dependencies"])


def test_no_tooling_in_the_layer() -> None:
    names = {req.split("==")[0].split("[")[0].lower() for req in _requirements()}
    assert not names & {"aws-sam-cli", "moto", "pytest", "cfn-lint", "aws-sam-translator", "boto3", "mypy"}
