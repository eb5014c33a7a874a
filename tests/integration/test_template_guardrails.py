"""Operational guardrails read from template.yaml (STYLE §8, ARCHITECTURE §4).

Each guardrail is a small helper that returns a list of problems (empty = fine), one positive test that runs
it on the real template, and a parametrized negative test that feeds a deliberately broken copy to the same
helper and expects it to name the problem, so that no guardrail can pass vacuously.

Given the template as SAM sees it (``samtranslator.yaml_helper.yaml_parse`` turns ``!Sub`` into ``Fn::Sub``),
when a helper checks it, then it reports every resource that breaks the rule.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from chalice import Chalice

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
STATE_MACHINE_DIR = ROOT / "statemachines"

FUNCTION = "AWS::Serverless::Function"
STATE_MACHINE = "AWS::Serverless::StateMachine"
LOG_GROUP = "AWS::Logs::LogGroup"
TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")

# Event sources that invoke the function asynchronously: a failure after Lambda's own retries is lost
# unless the function has an on-failure destination (or a dead-letter queue).
ASYNC_EVENTS = frozenset({"Schedule", "ScheduleV2", "EventBridgeRule", "CloudWatchEvent", "SNS", "S3"})
# Where SAM lets the event itself keep what it could not deliver to the function.
EVENT_DEAD_LETTER_PROPERTY = {
    "Schedule": "DeadLetterConfig",
    "ScheduleV2": "DeadLetterConfig",
    "EventBridgeRule": "DeadLetterConfig",
    "CloudWatchEvent": "DeadLetterConfig",
    "SNS": "RedrivePolicy",  # the SNS subscription's dead-letter queue
}
STREAM_EVENTS = frozenset({"DynamoDB", "Kinesis"})

MIN_PYTHON = (3, 12)
ARCHITECTURES = ["arm64"]

# The state every Task catches into: it flags the dossier and fires the alarm (ARCHITECTURE §2).
FAILURE_STATE = "RecordFailure"
NON_TRANSIENT_MATCHERS = frozenset({"States.ALL", "States.TaskFailed"})
PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")


# ----------------------------------------------------------------------------- reading the template
def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def resources(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template.get("Resources", {}).items() if v.get("Type") in types}


def props(resource: dict[str, Any]) -> dict[str, Any]:
    return resource.get("Properties") or {}


def effective(template: dict[str, Any], function: dict[str, Any], name: str) -> Any:
    """A function's property as SAM deploys it: its own value, else the Globals value."""
    own = props(function)
    if name in own:
        return own[name]
    return ((template.get("Globals") or {}).get("Function") or {}).get(name)


def logical_id_of(reference: Any, attribute: str = "Arn") -> str | None:
    """``!GetAtt X.Arn`` (either spelling) or ``!Ref X`` → ``X``; anything else → None."""
    if isinstance(reference, dict) and len(reference) == 1:
        ((key, arg),) = reference.items()
        if key == "Fn::GetAtt":
            logical, attr = arg if isinstance(arg, list) else str(arg).split(".", 1)
            return str(logical) if attr == attribute else None
        if key == "Ref":
            return str(arg)
    return None


def describe(problems: list[str]) -> str:
    return "\n  - " + "\n  - ".join(problems)


# ----------------------------------------------------------------------------- 1. Chalice routes = Api events
def handler_module(code_uri: str, handler: str) -> tuple[str, str]:
    """('functions/api/', 'app.app') → ('functions.api.app', 'app')."""
    module, _, attribute = handler.rpartition(".")
    return ".".join([*Path(code_uri).parts, module]), attribute


@cache
def handler_object(module: str, attribute: str) -> Any:
    return getattr(importlib.import_module(module), attribute)


def chalice_app_of(template: dict[str, Any], function: dict[str, Any]) -> Chalice | None:
    code_uri, handler = effective(template, function, "CodeUri"), effective(template, function, "Handler")
    if not isinstance(code_uri, str) or not isinstance(handler, str):
        return None
    candidate = handler_object(*handler_module(code_uri, handler))
    return candidate if isinstance(candidate, Chalice) else None


def chalice_routes(app: Chalice) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, methods in app.routes.items() for method in methods}


def api_events(function: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (str(props(event)["Path"]), str(props(event)["Method"]).upper())
        for event in (props(function).get("Events") or {}).values()
        if event.get("Type") == "Api"
    }


def route_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    for logical, function in resources(template, FUNCTION).items():
        events = api_events(function)
        app = chalice_app_of(template, function)
        if app is None:
            if events:
                problems.append(
                    f"{logical}: Api events {sorted(events)} but its handler is not a Chalice app"
                )
            continue
        routes = chalice_routes(app)
        for path, method in sorted(routes - events):
            problems.append(f"{logical}: Chalice route {method} {path} has no Api event in template.yaml")
        for path, method in sorted(events - routes):
            problems.append(f"{logical}: Api event {method} {path} has no Chalice route in {app.app_name}")
    return problems


# ----------------------------------------------------------------------------- 2. log retention
def lambda_log_group_target(log_group: dict[str, Any]) -> str | None:
    """``!Sub "/aws/lambda/${Fn}"`` → ``Fn``."""
    name = props(log_group).get("LogGroupName")
    if isinstance(name, dict) and isinstance(name.get("Fn::Sub"), str):
        match = re.fullmatch(r"/aws/lambda/\$\{([A-Za-z0-9]+)\}", name["Fn::Sub"])
        if match:
            return match.group(1)
    return None


def log_retention_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    log_groups = resources(template, LOG_GROUP)
    by_function: dict[str, list[dict[str, Any]]] = {}
    for group in log_groups.values():
        target = lambda_log_group_target(group)
        if target:
            by_function.setdefault(target, []).append(group)
    for logical in resources(template, FUNCTION):
        groups = by_function.get(logical, [])
        if not groups:
            problems.append(f'{logical}: no {LOG_GROUP} with LogGroupName !Sub "/aws/lambda/${{{logical}}}"')
        elif not any(props(g).get("RetentionInDays") is not None for g in groups):
            problems.append(f"{logical}: its log group has no RetentionInDays (logs kept forever)")
    for logical, machine in resources(template, STATE_MACHINE).items():
        destinations = (props(machine).get("Logging") or {}).get("Destinations") or []
        if not destinations:
            problems.append(f"{logical}: no Logging destination (a failed execution leaves no log)")
        for destination in destinations:
            arn = (destination.get("CloudWatchLogsLogGroup") or {}).get("LogGroupArn")
            group_id = logical_id_of(arn)
            log_group = log_groups.get(group_id or "")
            if log_group is None:
                problems.append(
                    f"{logical}: logging destination {arn!r} is not a {LOG_GROUP} of this template"
                )
            elif props(log_group).get("RetentionInDays") is None:
                problems.append(f"{logical}: its log group {group_id} has no RetentionInDays")
    return problems


# ----------------------------------------------------------------------------- 3. tables
def table_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    for logical, table in resources(template, *TABLE_TYPES).items():
        p = props(table)
        if (p.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled") is not True:
            problems.append(
                f"{logical}: PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled is not true"
            )
        if (p.get("SSESpecification") or {}).get("SSEEnabled") is not True:
            problems.append(f"{logical}: SSESpecification.SSEEnabled is not true")
    return problems


# ----------------------------------------------------------------------------- 4. failure destinations
def has_on_failure(destination_config: Any) -> bool:
    on_failure = (destination_config or {}).get("OnFailure") or {}
    return bool(on_failure.get("Destination") or on_failure.get("Type"))


def has_dead_letter(event_type: str, event_props: dict[str, Any]) -> bool:
    config = event_props.get(EVENT_DEAD_LETTER_PROPERTY[event_type]) or {}
    if event_type == "SNS":
        return bool(config.get("deadLetterTargetArn"))
    return bool(config.get("Arn") or config.get("Type"))


def failure_destination_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    queues = resources(template, "AWS::SQS::Queue")
    for logical, function in resources(template, FUNCTION).items():
        invoke_config = effective(template, function, "EventInvokeConfig") or {}
        dead_letter_queue = effective(template, function, "DeadLetterQueue") or {}
        function_catches = has_on_failure(invoke_config.get("DestinationConfig")) or bool(
            dead_letter_queue.get("TargetArn")
        )
        for name, event in (props(function).get("Events") or {}).items():
            kind, ep = event.get("Type", ""), props(event)
            where = f"{logical}.Events.{name} ({kind})"
            if kind in ASYNC_EVENTS:
                if not function_catches:
                    problems.append(
                        f"{where}: async consumer without EventInvokeConfig.DestinationConfig.OnFailure "
                        "or DeadLetterQueue"
                    )
                if kind in EVENT_DEAD_LETTER_PROPERTY and not has_dead_letter(kind, ep):
                    problems.append(
                        f"{where}: no {EVENT_DEAD_LETTER_PROPERTY[kind]} for undeliverable events"
                    )
            elif kind in STREAM_EVENTS:
                if not has_on_failure(ep.get("DestinationConfig")):
                    problems.append(f"{where}: stream consumer without DestinationConfig.OnFailure")
            elif kind == "SQS":
                queue_id = logical_id_of(ep.get("Queue"))
                queue = queues.get(queue_id or "")
                if queue is None:
                    problems.append(
                        f"{where}: queue {ep.get('Queue')!r} is not an AWS::SQS::Queue of this template"
                    )
                    continue
                redrive = props(queue).get("RedrivePolicy") or {}
                if isinstance(redrive, str):
                    redrive = json.loads(redrive)
                if not redrive.get("deadLetterTargetArn"):
                    problems.append(f"{where}: queue {queue_id} has no RedrivePolicy.deadLetterTargetArn")
    return problems


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# Who delivers to an event's dead-letter queue: a queue given by Arn needs a resource policy for it (SAM adds
# one only when it creates the queue itself, ``DeadLetterConfig: {Type: SQS}``).
DEAD_LETTER_SENDER = {
    "Schedule": "events.amazonaws.com",
    "EventBridgeRule": "events.amazonaws.com",
    "CloudWatchEvent": "events.amazonaws.com",
    "SNS": "sns.amazonaws.com",
}


def queue_policy_allows(template: dict[str, Any], queue_id: str, service: str) -> bool:
    for policy in resources(template, "AWS::SQS::QueuePolicy").values():
        p = props(policy)
        queues = {logical_id_of(q, "QueueUrl") for q in as_list(p.get("Queues") or [])}
        if queue_id not in queues:
            continue
        for statement in as_list((p.get("PolicyDocument") or {}).get("Statement") or []):
            principal = statement.get("Principal") or {}
            services = as_list(principal.get("Service") or []) if isinstance(principal, dict) else []
            actions = as_list(statement.get("Action") or [])
            if (
                statement.get("Effect") == "Allow"
                and service in services
                and ({"sqs:SendMessage", "sqs:*"} & set(actions))
            ):
                return True
    return False


def dead_letter_queue_policy_problems(template: dict[str, Any]) -> list[str]:
    """An event's dead-letter queue that its sender may not write to is no failure destination at all."""
    problems = []
    queues = resources(template, "AWS::SQS::Queue")
    for logical, function in resources(template, FUNCTION).items():
        for name, event in (props(function).get("Events") or {}).items():
            kind, ep = event.get("Type", ""), props(event)
            if kind not in DEAD_LETTER_SENDER:
                continue
            config = ep.get(EVENT_DEAD_LETTER_PROPERTY[kind]) or {}
            target = config.get("deadLetterTargetArn") if kind == "SNS" else config.get("Arn")
            queue_id = logical_id_of(target)
            if queue_id in queues and not queue_policy_allows(template, queue_id, DEAD_LETTER_SENDER[kind]):
                problems.append(
                    f"{logical}.Events.{name} ({kind}): dead-letter queue {queue_id} has no "
                    f"AWS::SQS::QueuePolicy allowing {DEAD_LETTER_SENDER[kind]} to sqs:SendMessage, "
                    "so undeliverable events are dropped"
                )
    return problems


# ----------------------------------------------------------------------------- 5. runtime and architecture
def python_version(runtime: Any) -> tuple[int, int] | None:
    match = re.fullmatch(r"python(\d+)\.(\d+)", str(runtime))
    return (int(match.group(1)), int(match.group(2))) if match else None


def runtime_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    for logical, function in resources(template, FUNCTION).items():
        runtime = effective(template, function, "Runtime")
        version = python_version(runtime)
        if version is None or version < MIN_PYTHON:
            problems.append(
                f"{logical}: Runtime {runtime!r} is not python{MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer"
            )
        architectures = effective(template, function, "Architectures")
        if architectures != ARCHITECTURES:
            problems.append(f"{logical}: Architectures {architectures!r} is not {ARCHITECTURES}")
    return problems


# ----------------------------------------------------------------------------- 6. tracing
def tracing_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    for logical, function in resources(template, FUNCTION).items():
        tracing = effective(template, function, "Tracing")
        if tracing != "Active":
            problems.append(f"{logical}: Tracing is {tracing!r}, not Active (set it in Globals.Function)")
    for logical, machine in resources(template, STATE_MACHINE).items():
        if (props(machine).get("Tracing") or {}).get("Enabled") is not True:
            problems.append(f"{logical}: Tracing.Enabled is not true")
    for logical, api in resources(template, "AWS::Serverless::Api").items():
        if props(api).get("TracingEnabled") is not True:
            problems.append(f"{logical}: TracingEnabled is not true")
    return problems


# ----------------------------------------------------------------------------- 7. state machines
def iter_states(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, including those inside Parallel branches and Map processors."""
    for name, state in states.items():
        yield name, state
        for branch in state.get("Branches") or []:
            yield from iter_states(branch.get("States") or {})
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from iter_states(state[key].get("States") or {})


def task_problems(definition: dict[str, Any], source: str = "") -> list[str]:
    problems = []
    names = {name for name, _ in iter_states(definition.get("States") or {})}
    for name, state in iter_states(definition.get("States") or {}):
        if state.get("Type") != "Task":
            continue
        where = f"{source}{name}"
        retries = state.get("Retry") or []
        if not retries:
            problems.append(f"{where}: Task without Retry")
        if name != FAILURE_STATE:  # RecordFailure must not give up: it may retry everything
            for retry in retries:
                broad = NON_TRANSIENT_MATCHERS.intersection(retry.get("ErrorEquals") or [])
                if broad:
                    problems.append(f"{where}: Retry on {sorted(broad)} retries business errors too")
            catch_all = [
                c
                for c in state.get("Catch") or []
                if "States.ALL" in (c.get("ErrorEquals") or []) and c.get("Next") == FAILURE_STATE
            ]
            if not catch_all:
                problems.append(f"{where}: no Catch of States.ALL into {FAILURE_STATE}")
            elif FAILURE_STATE not in names:
                problems.append(
                    f"{where}: catches into {FAILURE_STATE}, which is not a state of this machine"
                )
    return problems


def substitution_problems(asl_text: str, substitutions: dict[str, Any], source: str = "") -> list[str]:
    used, declared = set(PLACEHOLDER.findall(asl_text)), set(substitutions)
    return [
        f"{source}placeholder ${{{k}}} has no DefinitionSubstitutions key" for k in sorted(used - declared)
    ] + [f"{source}DefinitionSubstitutions key {k} is never used" for k in sorted(declared - used)]


def state_machine_problems(template: dict[str, Any], directory: Path = STATE_MACHINE_DIR) -> list[str]:
    problems = []
    machines = resources(template, STATE_MACHINE)
    for path in sorted(directory.glob("*.asl.json")):
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        users = {k: m for k, m in machines.items() if props(m).get("DefinitionUri") == relative}
        problems += task_problems(json.loads(text), f"{relative}: ")
        if not users:
            problems.append(f"{relative}: no {STATE_MACHINE} uses it (DefinitionUri)")
        for logical, machine in users.items():
            substitutions = props(machine).get("DefinitionSubstitutions") or {}
            problems += substitution_problems(text, substitutions, f"{logical} ({relative}): ")
    for logical, machine in machines.items():
        uri = props(machine).get("DefinitionUri")
        if isinstance(uri, str) and not (ROOT / uri).is_file():
            problems.append(f"{logical}: DefinitionUri {uri} does not exist")
        if "Definition" in props(machine):
            definition = props(machine)["Definition"]
            problems += task_problems(definition, f"{logical}: ")
            substitutions = props(machine).get("DefinitionSubstitutions") or {}
            problems += substitution_problems(json.dumps(definition), substitutions, f"{logical}: ")
    return problems


# ============================================================================= positive tests
def test_every_chalice_route_has_exactly_one_matching_api_event(template: dict[str, Any]) -> None:
    chalice_functions = [f for f in resources(template, FUNCTION).values() if chalice_app_of(template, f)]
    assert len(chalice_functions) >= 2, "expected the API and the webhook receiver to be Chalice apps"
    problems = route_problems(template)
    assert not problems, "Chalice routes and template Api events differ:" + describe(problems)


def test_every_function_and_state_machine_logs_with_retention(template: dict[str, Any]) -> None:
    problems = log_retention_problems(template)
    assert not problems, describe(problems)


def test_every_table_has_point_in_time_recovery_and_encryption(template: dict[str, Any]) -> None:
    assert resources(template, *TABLE_TYPES), "no tables found: the guardrail would pass vacuously"
    problems = table_problems(template)
    assert not problems, describe(problems)


def test_every_async_and_stream_consumer_has_a_failure_destination(template: dict[str, Any]) -> None:
    problems = failure_destination_problems(template)
    assert not problems, describe(problems)


def test_event_dead_letter_queues_accept_messages_from_their_sender(template: dict[str, Any]) -> None:
    problems = dead_letter_queue_policy_problems(template)
    assert not problems, describe(problems)


def test_every_function_runs_python_3_12_or_newer_on_arm64(template: dict[str, Any]) -> None:
    problems = runtime_problems(template)
    assert not problems, describe(problems)


def test_functions_state_machines_and_api_are_traced(template: dict[str, Any]) -> None:
    assert (template.get("Globals") or {}).get("Function", {}).get("Tracing") == "Active"
    problems = tracing_problems(template)
    assert not problems, describe(problems)


def test_state_machines_retry_transient_errors_only_and_catch_into_record_failure(
    template: dict[str, Any],
) -> None:
    assert list(STATE_MACHINE_DIR.glob("*.asl.json")), (
        "no ASL files found: the guardrail would pass vacuously"
    )
    problems = state_machine_problems(template)
    assert not problems, describe(problems)


# ============================================================================= negative tests
Mutation = Callable[[dict[str, Any]], None]


def _res(t: dict[str, Any], logical: str) -> dict[str, Any]:
    return props(t["Resources"][logical])


def _drop_event(function: str, event: str) -> Mutation:
    return lambda t: _res(t, function)["Events"].pop(event)


def _add_event(function: str, name: str, event: dict[str, Any]) -> Mutation:
    return lambda t: _res(t, function).setdefault("Events", {}).__setitem__(name, event)


def _set(logical: str, key: str, value: Any) -> Mutation:
    return lambda t: _res(t, logical).__setitem__(key, value)


def _drop(logical: str, key: str) -> Mutation:
    return lambda t: _res(t, logical).pop(key)


def _set_global(key: str, value: Any) -> Mutation:
    return lambda t: t["Globals"]["Function"].__setitem__(key, value)


def _add_resource(logical: str, resource: dict[str, Any]) -> Mutation:
    return lambda t: t["Resources"].__setitem__(logical, copy.deepcopy(resource))


def _both(*mutations: Mutation) -> Mutation:
    def apply(t: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(t)

    return apply


def _drop_queue_policies(t: dict[str, Any]) -> None:
    for logical in resources(t, "AWS::SQS::QueuePolicy"):
        t["Resources"].pop(logical)


def _api(path: str, method: str) -> dict[str, Any]:
    return {"Type": "Api", "Properties": {"RestApiId": {"Ref": "MotcuaApi"}, "Path": path, "Method": method}}


_QUEUE_ARN = {"Fn::GetAtt": ["FailedEventsQueue", "Arn"]}
_STREAM: dict[str, Any] = {
    "Type": "DynamoDB",
    "Properties": {"Stream": {"Fn::GetAtt": ["DossiersTable", "StreamArn"]}, "StartingPosition": "LATEST"},
}

_EVENTS_QUEUE_POLICY: dict[str, Any] = {
    "Type": "AWS::SQS::QueuePolicy",
    "Properties": {
        "Queues": [{"Ref": "FailedEventsQueue"}],
        "PolicyDocument": {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": "*",
                }
            ]
        },
    },
}
# Whatever policy the template has is replaced by one that lets EventBridge (and only it) deliver.
_only_events_queue_policy = _both(
    _drop_queue_policies, _add_resource("EventsQueuePolicy", _EVENTS_QUEUE_POLICY)
)

BROKEN_TEMPLATES: list[Any] = [
    # 1. routes
    pytest.param(
        route_problems,
        _drop_event("ApiFunction", "OpenApi"),
        "ApiFunction: Chalice route GET /v1/openapi.json has no Api event",
        id="route-without-event",
    ),
    pytest.param(
        route_problems,
        _add_event("ApiFunction", "Ghost", _api("/v1/ghosts", "GET")),
        "ApiFunction: Api event GET /v1/ghosts has no Chalice route",
        id="event-without-route",
    ),
    pytest.param(
        route_problems,
        _add_event("WebhooksFunction", "Pay", _api("/v1/webhooks/payments", "POST")),
        "WebhooksFunction: Api event POST /v1/webhooks/payments has no Chalice route",
        id="webhook-event-without-route",
    ),
    pytest.param(
        route_problems,
        lambda t: _res(t, "ApiFunction")["Events"]["GetDossier"]["Properties"].__setitem__(
            "Method", "DELETE"
        ),
        "Api event DELETE /v1/dossiers/{code} has no Chalice route",
        id="event-wrong-method",
    ),
    pytest.param(
        route_problems,
        _add_event("RegisterFunction", "Oops", _api("/v1/register", "POST")),
        "RegisterFunction: Api events",
        id="api-event-on-non-chalice-function",
    ),
    # 2. log retention
    pytest.param(
        log_retention_problems,
        lambda t: t["Resources"].pop("ApiFunctionLogGroup"),
        'ApiFunction: no AWS::Logs::LogGroup with LogGroupName !Sub "/aws/lambda/${ApiFunction}"',
        id="function-without-log-group",
    ),
    pytest.param(
        log_retention_problems,
        _drop("RegisterFunctionLogGroup", "RetentionInDays"),
        "RegisterFunction: its log group has no RetentionInDays",
        id="log-group-without-retention",
    ),
    pytest.param(
        log_retention_problems,
        _set("AssignFunctionLogGroup", "LogGroupName", "/aws/lambda/motcua-assign"),
        "AssignFunction: no AWS::Logs::LogGroup",
        id="log-group-not-bound-to-function",
    ),
    pytest.param(
        log_retention_problems,
        _drop("DossierStateMachineLogGroup", "RetentionInDays"),
        "DossierStateMachine: its log group DossierStateMachineLogGroup has no RetentionInDays",
        id="state-machine-log-group-without-retention",
    ),
    pytest.param(
        log_retention_problems,
        _drop("DossierStateMachine", "Logging"),
        "DossierStateMachine: no Logging destination",
        id="state-machine-without-logging",
    ),
    # 3. tables
    pytest.param(
        table_problems,
        _set("DossiersTable", "PointInTimeRecoverySpecification", {"PointInTimeRecoveryEnabled": False}),
        "DossiersTable: PointInTimeRecoverySpecification",
        id="table-pitr-off",
    ),
    pytest.param(
        table_problems,
        _drop("CatalogueTable", "SSESpecification"),
        "CatalogueTable: SSESpecification.SSEEnabled",
        id="table-without-sse",
    ),
    pytest.param(
        table_problems,
        _add_resource("Simple", {"Type": "AWS::Serverless::SimpleTable"}),
        "Simple: PointInTimeRecoverySpecification",
        id="simple-table",
    ),
    # 4. failure destinations
    pytest.param(
        failure_destination_problems,
        _drop("DeadlineWatchFunction", "EventInvokeConfig"),
        "DeadlineWatchFunction.Events.EveryQuarterHour (Schedule): async consumer without",
        id="schedule-without-on-failure",
    ),
    pytest.param(
        failure_destination_problems,
        lambda t: _res(t, "DeadlineWatchFunction")["Events"]["EveryQuarterHour"]["Properties"].pop(
            "DeadLetterConfig"
        ),
        "DeadlineWatchFunction.Events.EveryQuarterHour (Schedule): no DeadLetterConfig",
        id="schedule-without-dead-letter-config",
    ),
    pytest.param(
        failure_destination_problems,
        _add_event(
            "RegisterFunction",
            "Bus",
            {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["x"]}}},
        ),
        "RegisterFunction.Events.Bus (EventBridgeRule): async consumer without",
        id="eventbridge-without-on-failure",
    ),
    pytest.param(
        failure_destination_problems,
        _add_event("RegisterFunction", "Topic", {"Type": "SNS", "Properties": {"Topic": "arn:x"}}),
        "RegisterFunction.Events.Topic (SNS): no RedrivePolicy",
        id="sns-without-redrive",
    ),
    pytest.param(
        failure_destination_problems,
        _add_event("RegisterFunction", "Upload", {"Type": "S3", "Properties": {"Bucket": "b"}}),
        "RegisterFunction.Events.Upload (S3): async consumer without",
        id="s3-without-on-failure",
    ),
    pytest.param(
        failure_destination_problems,
        _add_event("RegisterFunction", "Stream", _STREAM),
        "RegisterFunction.Events.Stream (DynamoDB): stream consumer without DestinationConfig.OnFailure",
        id="stream-without-on-failure",
    ),
    pytest.param(
        failure_destination_problems,
        _add_event("RegisterFunction", "Queue", {"Type": "SQS", "Properties": {"Queue": _QUEUE_ARN}}),
        "RegisterFunction.Events.Queue (SQS): queue FailedEventsQueue has no RedrivePolicy",
        id="sqs-without-redrive",
    ),
    pytest.param(
        dead_letter_queue_policy_problems,
        _drop_queue_policies,
        "DeadlineWatchFunction.Events.EveryQuarterHour (Schedule): dead-letter queue FailedEventsQueue",
        id="schedule-dead-letter-queue-without-policy",
    ),
    pytest.param(
        dead_letter_queue_policy_problems,
        _both(
            _only_events_queue_policy,
            _add_event(
                "RegisterFunction",
                "Topic",
                {
                    "Type": "SNS",
                    "Properties": {"Topic": "arn:x", "RedrivePolicy": {"deadLetterTargetArn": _QUEUE_ARN}},
                },
            ),
        ),
        "RegisterFunction.Events.Topic (SNS): dead-letter queue FailedEventsQueue has no",
        id="sns-dead-letter-queue-needs-sns-in-policy",
    ),
    # 5. runtime and architecture
    pytest.param(
        runtime_problems,
        _set_global("Runtime", "python3.11"),
        "ApiFunction: Runtime 'python3.11' is not python3.12 or newer",
        id="global-runtime-too-old",
    ),
    pytest.param(
        runtime_problems,
        _set("DeadlineWatchFunction", "Runtime", "python3.9"),
        "DeadlineWatchFunction: Runtime 'python3.9'",
        id="own-runtime-too-old",
    ),
    pytest.param(
        runtime_problems,
        _set("AssignFunction", "Runtime", "nodejs20.x"),
        "AssignFunction: Runtime 'nodejs20.x'",
        id="not-python",
    ),
    pytest.param(
        runtime_problems,
        _set("AssignFunction", "Architectures", ["x86_64"]),
        "AssignFunction: Architectures ['x86_64'] is not ['arm64']",
        id="x86",
    ),
    pytest.param(
        runtime_problems,
        lambda t: t["Globals"]["Function"].pop("Architectures"),
        "ApiFunction: Architectures None",
        id="no-architectures",
    ),
    # 6. tracing
    pytest.param(
        tracing_problems,
        lambda t: t["Globals"]["Function"].pop("Tracing"),
        "ApiFunction: Tracing is None, not Active",
        id="globals-without-tracing",
    ),
    pytest.param(
        tracing_problems,
        _set("IssueResultFunction", "Tracing", "PassThrough"),
        "IssueResultFunction: Tracing is 'PassThrough'",
        id="function-tracing-passthrough",
    ),
    pytest.param(
        tracing_problems,
        _set("DossierStateMachine", "Tracing", {"Enabled": False}),
        "DossierStateMachine: Tracing.Enabled is not true",
        id="state-machine-untraced",
    ),
    pytest.param(
        tracing_problems,
        _drop("DossierStateMachine", "Tracing"),
        "DossierStateMachine: Tracing.Enabled is not true",
        id="state-machine-without-tracing",
    ),
    pytest.param(
        tracing_problems,
        _drop("MotcuaApi", "TracingEnabled"),
        "MotcuaApi: TracingEnabled is not true",
        id="api-untraced",
    ),
]


@pytest.mark.parametrize(("check", "break_template", "expected"), BROKEN_TEMPLATES)
def test_guardrail_reports_a_broken_template(
    template: dict[str, Any],
    check: Callable[[dict[str, Any]], list[str]],
    break_template: Mutation,
    expected: str,
) -> None:
    broken = copy.deepcopy(template)
    break_template(broken)
    problems = check(broken)
    assert any(expected in p for p in problems), f"expected a problem containing {expected!r}, got {problems}"


ACCEPTABLE_VARIANTS: list[Any] = [
    pytest.param(
        dead_letter_queue_policy_problems,
        _only_events_queue_policy,
        id="dead-letter-queue-with-policy",
    ),
    pytest.param(runtime_problems, _set_global("Runtime", "python3.13"), id="newer-python"),
    pytest.param(
        failure_destination_problems,
        _both(
            _drop("DeadlineWatchFunction", "EventInvokeConfig"),
            _set("DeadlineWatchFunction", "DeadLetterQueue", {"Type": "SQS", "TargetArn": _QUEUE_ARN}),
        ),
        id="dead-letter-queue-instead-of-destination",
    ),
    pytest.param(
        failure_destination_problems,
        _add_event(
            "RegisterFunction",
            "Stream",
            {
                **_STREAM,
                "Properties": {
                    **_STREAM["Properties"],
                    "DestinationConfig": {"OnFailure": {"Destination": _QUEUE_ARN}},
                },
            },
        ),
        id="stream-with-on-failure",
    ),
    pytest.param(
        failure_destination_problems,
        _both(
            _set(
                "FailedEventsQueue", "RedrivePolicy", {"deadLetterTargetArn": "arn:dlq", "maxReceiveCount": 3}
            ),
            _add_event("RegisterFunction", "Queue", {"Type": "SQS", "Properties": {"Queue": _QUEUE_ARN}}),
        ),
        id="sqs-with-redrive",
    ),
]


@pytest.mark.parametrize(
    (
        "check",
        "change",
    ),
    ACCEPTABLE_VARIANTS,
)
def test_guardrail_accepts_an_acceptable_variant(
    template: dict[str, Any], check: Callable[[dict[str, Any]], list[str]], change: Mutation
) -> None:
    changed = copy.deepcopy(template)
    change(changed)
    assert check(changed) == []


# ----------------------------------------------------------------------------- state machines, broken copies
def _asl() -> dict[str, Any]:
    return json.loads((STATE_MACHINE_DIR / "dossier.asl.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


AslMutation = Callable[[dict[str, Any]], None]


def _state(name: str, key: str, value: Any) -> AslMutation:
    return lambda d: d["States"][name].__setitem__(key, value)


def _retry_on(*errors: str) -> list[dict[str, Any]]:
    return [{"ErrorEquals": list(errors), "IntervalSeconds": 1, "MaxAttempts": 2}]


BROKEN_DEFINITIONS: list[Any] = [
    pytest.param(
        lambda d: d["States"]["Register"].pop("Retry"), "Register: Task without Retry", id="no-retry"
    ),
    pytest.param(
        _state("Register", "Retry", _retry_on("States.ALL")),
        "Register: Retry on ['States.ALL']",
        id="retry-all",
    ),
    pytest.param(
        _state("IssueResult", "Retry", _retry_on("TransientError", "States.TaskFailed")),
        "IssueResult: Retry on ['States.TaskFailed']",
        id="retry-task-failed",
    ),
    pytest.param(
        lambda d: d["States"]["DeliverResult"].pop("Catch"),
        "DeliverResult: no Catch of States.ALL into RecordFailure",
        id="no-catch",
    ),
    pytest.param(
        _state("CloseRejected", "Catch", [{"ErrorEquals": ["States.ALL"], "Next": "Done"}]),
        "CloseRejected: no Catch of States.ALL into RecordFailure",
        id="catch-elsewhere",
    ),
    pytest.param(
        _state("WaitForOfficer", "Catch", [{"ErrorEquals": ["TransientError"], "Next": "RecordFailure"}]),
        "WaitForOfficer: no Catch of States.ALL into RecordFailure",
        id="catch-too-narrow",
    ),
    pytest.param(
        lambda d: d["States"]["RecordFailure"].pop("Retry"),
        "RecordFailure: Task without Retry",
        id="record-failure-without-retry",
    ),
    pytest.param(
        lambda d: d["States"].__setitem__(
            "Fan",
            {
                "Type": "Parallel",
                "End": True,
                "Branches": [
                    {
                        "StartAt": "Inner",
                        "States": {"Inner": {"Type": "Task", "Resource": "arn:x", "End": True}},
                    }
                ],
            },
        ),
        "Inner: Task without Retry",
        id="nested-task",
    ),
]


@pytest.mark.parametrize(("break_definition", "expected"), BROKEN_DEFINITIONS)
def test_task_guardrail_reports_a_broken_definition(break_definition: AslMutation, expected: str) -> None:
    definition = _asl()
    assert task_problems(definition) == []
    break_definition(definition)
    problems = task_problems(definition)
    assert any(expected in p for p in problems), f"expected a problem containing {expected!r}, got {problems}"


def test_record_failure_itself_may_retry_everything() -> None:
    definition = _asl()
    assert "States.ALL" in definition["States"][FAILURE_STATE]["Retry"][0]["ErrorEquals"]
    assert not [p for p in task_problems(definition) if FAILURE_STATE + ":" in p]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda s: s.pop("AssignFunctionArn"),
            "placeholder ${AssignFunctionArn} has no DefinitionSubstitutions key",
            id="missing-key",
        ),
        pytest.param(
            lambda s: s.__setitem__("UnusedArn", "arn:x"),
            "DefinitionSubstitutions key UnusedArn is never used",
            id="unused-key",
        ),
    ],
)
def test_substitution_guardrail_reports_a_mismatch(
    template: dict[str, Any], change: Callable[[dict[str, Any]], Any], expected: str
) -> None:
    text = (STATE_MACHINE_DIR / "dossier.asl.json").read_text(encoding="utf-8")
    substitutions = copy.deepcopy(_res(template, "DossierStateMachine")["DefinitionSubstitutions"])
    assert substitution_problems(text, substitutions) == []
    change(substitutions)
    problems = substitution_problems(text, substitutions)
    assert any(expected in p for p in problems), f"expected a problem containing {expected!r}, got {problems}"


def test_state_machine_guardrail_reports_a_template_that_drops_a_substitution(
    template: dict[str, Any],
) -> None:
    broken = copy.deepcopy(template)
    _res(broken, "DossierStateMachine")["DefinitionSubstitutions"].pop("RecordFailureFunctionArn")
    problems = state_machine_problems(broken)
    assert any("${RecordFailureFunctionArn} has no DefinitionSubstitutions key" in p for p in problems), (
        problems
    )


def test_state_machine_guardrail_reports_an_orphan_asl_file(template: dict[str, Any]) -> None:
    broken = copy.deepcopy(template)
    _res(broken, "DossierStateMachine")["DefinitionUri"] = "statemachines/elsewhere.asl.json"
    problems = state_machine_problems(broken)
    assert any(
        "statemachines/dossier.asl.json: no AWS::Serverless::StateMachine uses it" in p for p in problems
    )
    assert any("DefinitionUri statemachines/elsewhere.asl.json does not exist" in p for p in problems)


# ----------------------------------------------------------------------------- IAM follows what handlers use
# The local cloud does not enforce IAM, so a handler reaching a store its function has no policy for would only
# fail on AWS. Each handler module names the stores it composes (``runtime.<store>``); this maps them to the
# resource the function's policies must name.
_STORE_RESOURCE = {
    "dossier_store": "DossiersTable",
    "catalogue_store": "CatalogueTable",
    "agency_store": "CatalogueTable",
    "working_calendar": "CatalogueTable",
    "file_store": "FilesBucket",
}


def policy_resources(function: dict[str, Any]) -> set[str]:
    """Logical ids named by the function's SAM policy templates (``XPolicy: {TableName|BucketName: !Ref X}``)."""
    named: set[str] = set()
    for policy in props(function).get("Policies") or []:
        if not isinstance(policy, dict):
            continue
        for arguments in policy.values():
            if isinstance(arguments, dict):
                for value in arguments.values():
                    if (logical := logical_id_of(value, "Arn")) is not None:
                        named.add(logical)
    return named


def iam_problems(template: dict[str, Any]) -> list[str]:
    problems = []
    for name, function in resources(template, "AWS::Serverless::Function").items():
        code_uri, handler = effective(template, function, "CodeUri"), effective(template, function, "Handler")
        module, _ = handler_module(str(code_uri), str(handler))
        source = (ROOT / (module.replace(".", "/") + ".py")).read_text(encoding="utf-8")
        needed = {res for store, res in _STORE_RESOURCE.items() if f"runtime.{store}" in source}
        for missing in sorted(needed - policy_resources(function)):
            problems.append(f"{name}: its handler uses {missing} but no policy names it")
    return problems


def test_every_function_has_a_policy_for_each_store_its_handler_uses(template: dict[str, Any]) -> None:
    problems = iam_problems(template)
    assert not problems, describe(problems)


def test_iam_guardrail_reports_a_missing_bucket_policy(template: dict[str, Any]) -> None:
    broken = copy.deepcopy(template)
    policies = broken["Resources"]["IssueResultFunction"]["Properties"]["Policies"]
    broken["Resources"]["IssueResultFunction"]["Properties"]["Policies"] = [
        p for p in policies if not (isinstance(p, dict) and "S3CrudPolicy" in p)
    ]
    assert "IssueResultFunction: its handler uses FilesBucket but no policy names it" in iam_problems(broken)
