"""The local cloud's one seam in moto (ARCHITECTURE §5) still holds.

``moto.awslambda.models.LambdaFunction._invoke_lambda(self, event=None) -> (payload_json, errored, logs)`` is
replaced by ``infra.local.lambdas.InProcessRunner``. If a moto upgrade renames or reshapes it, or the pin in
pyproject.toml drifts from what is installed, these tests fail before the local cloud silently runs nothing.

The round trips run a real Step Functions interpreter (moto's ASL parser) that invokes a Lambda function
whose handler lives in this module, through the seam, with no Docker.

Note on moto's config: ``{"lambda": {"use_docker": False}}`` must NOT be used with the seam. It swaps in
``moto.awslambda_simple``, whose ``invoke`` echoes the payload and never calls ``_invoke_lambda``; see
``test_use_docker_false_would_bypass_the_seam``.
"""

from __future__ import annotations

import inspect
import io
import json
import re
import time
import tomllib
import zipfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any, cast

import pytest
from moto.core.config import DefaultConfig

from infra.local.lambdas import InProcessRunner
from infra.local.provision import LocalFunction
from motcua.steps import TransientError

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-southeast-1"
ACCOUNT = "123456789012"
# The interpreter must run for real; moto's default backend marks executions SUCCEEDED without running them.
MOTO_CONFIG: DefaultConfig = {"stepfunctions": {"execute_state_machine": True}}
EXECUTION_TIMEOUT_S = 10.0


# ----------------------------------------------------------------------------- handlers run through the seam
class BusinessRuleViolated(Exception):
    """Stands for a domain error: the state machine must not retry it."""


def echo_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "echo": event,
        "ran": "in-process",
        "function": context.function_name,
        "remaining_ms_positive": context.get_remaining_time_in_millis() > 0,
    }


def transient_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise TransientError("ThrottlingException")


def business_error_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise BusinessRuleViolated("dossier already closed")


HANDLERS = {"echo": "echo_handler", "transient": "transient_handler", "business": "business_error_handler"}


def _function(key: str) -> LocalFunction:
    name = f"seam-{key}"
    return LocalFunction(
        logical_id=f"Seam{key.title()}Function",
        name=name,
        arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
        module=__name__,  # this very module, not a second import of it
        attribute=HANDLERS[key],
        environment={},
        timeout=5,
    )


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # An endpoint override (set by the local cloud) would send calls past moto's in-process mock.
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")


@pytest.fixture
def runner(aws_env: None) -> Iterator[InProcessRunner]:
    """The seam installed for a tiny function map; moto's own ``_invoke_lambda`` is put back afterwards."""
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.__dict__["_invoke_lambda"]
    functions = {f.name: f for f in map(_function, HANDLERS)}
    in_process = InProcessRunner(functions, REGION)
    in_process.install()
    try:
        assert LambdaFunction.__dict__["_invoke_lambda"] is not original
        yield in_process
    finally:
        LambdaFunction._invoke_lambda = original  # type: ignore[method-assign]
    assert LambdaFunction.__dict__["_invoke_lambda"] is original


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "runs in-process")
    return buffer.getvalue()


def _role(iam: Any) -> str:
    return str(iam.create_role(RoleName="seam-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"])


def _create_function(boto3: Any, role: str, key: str) -> str:
    function = _function(key)
    boto3.client("lambda", region_name=REGION).create_function(
        FunctionName=function.name,
        Runtime="python3.12",
        Role=role,
        Handler=f"seam.{function.attribute}",
        Code={"ZipFile": _zip()},
        Timeout=function.timeout,
    )
    return function.arn


def _one_task_machine(function_arn: str) -> str:
    """One Task calling the function the way dossier.asl.json does, with the same transient-only Retry."""
    return json.dumps(
        {
            "StartAt": "Call",
            "States": {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": function_arn, "Payload.$": "$"},
                    "OutputPath": "$.Payload",
                    "Retry": [
                        {
                            "ErrorEquals": ["TransientError"],
                            "IntervalSeconds": 1,
                            "MaxAttempts": 1,
                            "BackoffRate": 1.0,
                        }
                    ],
                    "End": True,
                }
            },
        }
    )


def _run(key: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Create the function and a one-state machine, start one execution, and wait for it to stop."""
    import boto3

    role = _role(boto3.client("iam", region_name=REGION))
    function_arn = _create_function(boto3, role, key)
    sfn = boto3.client("stepfunctions", region_name=REGION)
    machine = sfn.create_state_machine(
        name=f"seam-{key}", definition=_one_task_machine(function_arn), roleArn=role, type="STANDARD"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name=f"run-{key}", input=json.dumps(payload))
    deadline = time.monotonic() + EXECUTION_TIMEOUT_S
    while True:
        described: dict[str, Any] = {**sfn.describe_execution(executionArn=execution["executionArn"])}
        if described["status"] != "RUNNING":
            history = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
            described["history"] = history
            return described
        assert time.monotonic() < deadline, f"execution still RUNNING after {EXECUTION_TIMEOUT_S} s"
        time.sleep(0.1)


# ----------------------------------------------------------------------------- the seam and the pin
def test_invoke_lambda_seam_exists_with_the_expected_signature() -> None:
    from moto.awslambda.models import LambdaFunction

    seam = LambdaFunction.__dict__.get("_invoke_lambda")
    assert callable(seam), "moto.awslambda.models.LambdaFunction._invoke_lambda is gone"
    parameters = list(inspect.signature(seam).parameters.values())
    assert [p.name for p in parameters] == ["self", "event"], inspect.signature(seam)
    assert parameters[1].default is None, inspect.signature(seam)
    # And LambdaFunction.invoke still goes through it (the runner only replaces _invoke_lambda).
    assert "self._invoke_lambda(" in inspect.getsource(LambdaFunction.invoke)


def test_installed_moto_is_the_pinned_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [
        *project.get("dependencies", []),
        *(r for extra in project.get("optional-dependencies", {}).values() for r in extra),
    ]
    pins = [
        m.group(1) for r in requirements if (m := re.fullmatch(r"moto(?:\[[^\]]*\])?==([^;\s]+)", r.strip()))
    ]
    assert len(pins) == 1, f"expected exactly one `moto==X.Y.Z` pin in pyproject.toml, found {pins}"
    assert version("moto") == pins[0], f"installed moto {version('moto')} != pinned {pins[0]}"


def test_moto_accepts_the_config_the_local_cloud_uses() -> None:
    from moto.core.config import default_user_config

    # Unknown keys are accepted silently by mock_aws; check against the declared shape instead.
    declared = cast(dict[str, dict[str, Any]], default_user_config)
    for section, values in cast(dict[str, dict[str, Any]], MOTO_CONFIG).items():
        assert section in DefaultConfig.__annotations__, f"moto has no config section {section!r}"
        unknown = set(values) - set(declared[section])
        assert not unknown, f"moto's {section} config has no {sorted(unknown)}"


# ----------------------------------------------------------------------------- round trips
def test_state_machine_lambda_task_runs_the_in_process_handler(runner: InProcessRunner) -> None:
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        described = _run("echo", {"code": "H32.99-250101-0001", "step": "register"})

    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {
        "echo": {"code": "H32.99-250101-0001", "step": "register"},
        "ran": "in-process",
        "function": "seam-echo",
        "remaining_ms_positive": True,
    }
    assert runner.invocations == {"seam-echo": 1}


def _task_failures(described: dict[str, Any]) -> list[str]:
    return [e["taskFailedEventDetails"]["error"] for e in described["history"] if e["type"] == "TaskFailed"]


def test_transient_error_fails_the_task_under_its_class_name_and_is_retried(runner: InProcessRunner) -> None:
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        described = _run("transient", {"code": "H32.99-250101-0002", "step": "register"})

    assert described["status"] == "FAILED", described
    # The error name is the exception's class name, so `"ErrorEquals": ["TransientError"]` matches it ...
    assert described.get("error") == "TransientError", described
    assert _task_failures(described) == ["TransientError", "TransientError"], described["history"]
    assert json.loads(described["cause"])["errorType"] == "TransientError"
    # ... and it did: one attempt plus the one retry that MaxAttempts allows.
    assert runner.invocations == {"seam-transient": 2}


def test_business_error_is_not_retried(runner: InProcessRunner) -> None:
    from moto import mock_aws

    with mock_aws(config=MOTO_CONFIG):
        described = _run("business", {"code": "H32.99-250101-0003", "step": "register"})

    assert described["status"] == "FAILED", described
    assert described.get("error") == "BusinessRuleViolated", described
    assert runner.invocations == {"seam-business": 1}


def test_use_docker_false_would_bypass_the_seam(runner: InProcessRunner) -> None:
    """Why MOTO_CONFIG leaves ``lambda.use_docker`` alone: the Docker-free backend never reaches the seam."""
    import boto3
    from moto import mock_aws

    with mock_aws(config={**MOTO_CONFIG, "lambda": {"use_docker": False}}):
        role = _role(boto3.client("iam", region_name=REGION))
        _create_function(boto3, role, "echo")
        reply = boto3.client("lambda", region_name=REGION).invoke(
            FunctionName="seam-echo", Payload=b'{"a": 1}'
        )
        body = json.loads(reply["Payload"].read())

    assert body == {"a": 1}, "moto's simple Lambda backend now does something else: revisit the seam"
    assert runner.invocations == {}
