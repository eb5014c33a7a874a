"""Creates, in the embedded AWS (moto's server), the resources that the translated template declares.

Only what the product uses at run time is created: tables, queues, buckets, functions, state machines,
event-source mappings; schedules are handed to the local scheduler. IAM, API Gateway, log groups, alarms
and layers have no local behaviour and are skipped (listed in ``skipped``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from infra.local.template import Translated, handler_module

ACCOUNT = "123456789012"


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    module: str
    attribute: str
    environment: dict[str, str]
    timeout: int


@dataclass
class Schedule:
    function_name: str
    expression: str
    rule: str


@dataclass
class Provisioned:
    physical: dict[str, str] = field(default_factory=dict)  # logical id → Ref value
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)  # logical id → GetAtt values
    functions: dict[str, LocalFunction] = field(default_factory=dict)  # function name → function
    schedules: list[Schedule] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class Unresolvable(Exception):
    """A reference to a resource not created yet (retry in a later pass)."""


class Provisioner:
    def __init__(
        self, translated: Translated, session: Any, region: str, prefix: str = "motcua-local"
    ) -> None:
        self.t = translated
        self.session = session
        self.region = region
        self.prefix = prefix
        self.out = Provisioned()

    # ------------------------------------------------------------------ intrinsic functions
    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._getatt(logical, attr)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::If":
                condition, yes, no = arg
                return self.resolve(yes if self._condition(condition) else no)
            if key == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.resolve(p)) for p in parts)
        if isinstance(value, dict):
            return {k: v for k, v in ((k, self.resolve(v)) for k, v in value.items()) if v is not _NO_VALUE}
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not _NO_VALUE]
        return value

    def _ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::StackName": self.prefix,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": _NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.t.parameters:
            return self.t.parameters[name]
        if name in self.out.physical:
            return self.out.physical[name]
        raise Unresolvable(name)

    def _getatt(self, logical: str, attr: str) -> str:
        try:
            return self.out.attributes[logical][attr]
        except KeyError:
            raise Unresolvable(f"{logical}.{attr}") from None

    def _sub(self, arg: Any) -> str:
        template, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(self.resolve(variables[name]))
            if "." in name and not name.startswith("AWS::"):
                logical, attr = name.split(".", 1)
                return self._getatt(logical, attr)
            return str(self._ref(name))

        return re.sub(r"\$\{([^}!]+)\}", replace, template)

    def _condition(self, name: str) -> bool:
        spec = self.t.conditions[name]
        return self._evaluate(spec)

    def _evaluate(self, spec: Any) -> bool:
        ((key, arg),) = spec.items()
        if key == "Fn::Not":
            return not self._evaluate(arg[0])
        if key == "Fn::Equals":
            return bool(self.resolve(arg[0]) == self.resolve(arg[1]))
        if key == "Fn::And":
            return all(self._evaluate(a) for a in arg)
        if key == "Fn::Or":
            return any(self._evaluate(a) for a in arg)
        if key == "Condition":
            return self._condition(arg)
        raise ValueError(f"unsupported condition {key}")

    # ------------------------------------------------------------------ resources
    def run(self) -> Provisioned:
        order = [
            "AWS::DynamoDB::Table",
            "AWS::SQS::Queue",
            "AWS::S3::Bucket",
            "AWS::Lambda::Function",
            "AWS::StepFunctions::StateMachine",
            "AWS::Lambda::EventSourceMapping",
            "AWS::Events::Rule",
        ]
        # moto checks that a function's role exists; IAM itself has no local behaviour, so one role serves all.
        self.role_arn = self.session.client("iam").create_role(
            RoleName=f"{self.prefix}-role",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        pending = dict(self.t.resources)
        for rtype in order:
            for logical, resource in list(pending.items()):
                if resource["Type"] == rtype:
                    getattr(self, "_create_" + rtype.split("::", 1)[1].replace("::", "_").lower())(
                        logical, resource
                    )
                    del pending[logical]
        self.out.skipped = sorted(f"{r['Type']} {k}" for k, r in pending.items())
        return self.out

    def _name(self, logical: str) -> str:
        return f"{self.prefix}-{logical}"

    def _create_dynamodb_table(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.resolve(resource["Properties"])
        name = props.get("TableName") or self._name(logical)
        client = self.session.client("dynamodb")
        args = {
            k: props[k]
            for k in (
                "AttributeDefinitions",
                "KeySchema",
                "GlobalSecondaryIndexes",
                "LocalSecondaryIndexes",
                "BillingMode",
                "StreamSpecification",
                "SSESpecification",
            )
            if k in props
        }
        if "SSESpecification" in args:  # CloudFormation spells it SSEEnabled, the API Enabled
            sse = dict(args["SSESpecification"])
            sse["Enabled"] = sse.pop("SSEEnabled", True)
            args["SSESpecification"] = sse
        if "StreamSpecification" in args:
            args["StreamSpecification"] = {"StreamEnabled": True, **args["StreamSpecification"]}
        described = client.create_table(TableName=name, **args)["TableDescription"]
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        self.out.physical[logical] = name
        self.out.attributes[logical] = {
            "Arn": described["TableArn"],
            "StreamArn": described.get("LatestStreamArn", ""),
        }

    def _create_sqs_queue(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.resolve(resource.get("Properties", {}))
        name = props.get("QueueName") or self._name(logical)
        client = self.session.client("sqs")
        url = client.create_queue(QueueName=name)["QueueUrl"]
        arn = f"arn:aws:sqs:{self.region}:{ACCOUNT}:{name}"
        self.out.physical[logical] = url
        self.out.attributes[logical] = {"Arn": arn, "QueueName": name, "QueueUrl": url}

    def _create_s3_bucket(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.resolve(resource.get("Properties", {}))
        name = (props.get("BucketName") or self._name(logical)).lower()
        self.session.client("s3").create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": self.region}
        )
        self.out.physical[logical] = name
        self.out.attributes[logical] = {"Arn": f"arn:aws:s3:::{name}"}

    def _create_lambda_function(self, logical: str, resource: dict[str, Any]) -> None:
        props = resource["Properties"]
        name = self._name(logical)
        arn = f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{name}"
        self.out.physical[logical] = name
        self.out.attributes[logical] = {"Arn": arn}
        # Environment may reference resources created later (the API needs the state machine's ARN):
        # resolve it in ``finish`` once everything exists.
        module, attribute = handler_module(self.t.code_dirs[logical], props["Handler"])
        self.out.functions[name] = LocalFunction(
            logical, name, arn, module, attribute, {}, int(props.get("Timeout", 3))
        )
        self.session.client("lambda").create_function(
            FunctionName=name,
            Runtime=props["Runtime"],
            Role=self.role_arn,
            Handler=props["Handler"],
            Code={"ZipFile": _empty_zip()},
            Timeout=int(props.get("Timeout", 3)),
            MemorySize=int(props.get("MemorySize", 128)),
        )

    def _create_stepfunctions_statemachine(self, logical: str, resource: dict[str, Any]) -> None:
        props = resource["Properties"]
        substitutions = {k: str(self.resolve(v)) for k, v in props.get("DefinitionSubstitutions", {}).items()}
        definition = props.get("Definition") or props.get("DefinitionString")
        resolved = self.resolve(definition)  # the translator wraps the ASL in Fn::Join
        text = resolved if isinstance(resolved, str) else json.dumps(resolved)
        for key, value in substitutions.items():
            text = text.replace("${" + key + "}", value)
        unresolved = re.findall(r"\$\{[A-Za-z0-9_]+\}", text)
        if unresolved:
            raise ValueError(f"{logical}: unresolved substitutions {unresolved}")
        name = self.resolve(props.get("StateMachineName")) or self._name(logical)
        arn = self.session.client("stepfunctions").create_state_machine(
            name=name,
            definition=text,
            roleArn=self.role_arn,
            type=props.get("StateMachineType", "STANDARD"),
        )["stateMachineArn"]
        self.out.physical[logical] = arn
        self.out.attributes[logical] = {"Arn": arn, "Name": name}

    def _create_lambda_eventsourcemapping(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.resolve(resource["Properties"])
        args = {
            k: props[k]
            for k in (
                "EventSourceArn",
                "FunctionName",
                "BatchSize",
                "StartingPosition",
                "FunctionResponseTypes",
            )
            if k in props
        }
        self.session.client("lambda").create_event_source_mapping(**args)

    def _create_events_rule(self, logical: str, resource: dict[str, Any]) -> None:
        props = self.resolve(resource["Properties"])
        expression = props.get("ScheduleExpression")
        if not expression:
            self.out.skipped.append(f"AWS::Events::Rule {logical} (event pattern)")
            return
        for target in props.get("Targets", []):
            function_name = target["Arn"].rsplit(":", 1)[-1]
            self.out.schedules.append(Schedule(function_name, expression, logical))

    def finish(self) -> Provisioned:
        """Resolve every function's environment now that all resources exist, and apply it in moto."""
        client = self.session.client("lambda")
        for function in self.out.functions.values():
            props = self.t.resources[function.logical_id]["Properties"]
            env = self.resolve(props.get("Environment", {})).get("Variables", {})
            function.environment = {k: str(v) for k, v in env.items()}
            client.update_function_configuration(
                FunctionName=function.name, Environment={"Variables": function.environment}
            )
        return self.out


_NO_VALUE = object()


def _empty_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "The local cloud runs the real handler from the working tree.")
    return buffer.getvalue()
