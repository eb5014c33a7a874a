"""Runs Lambda functions in-process: the one seam in moto that replaces its Docker runner (ARCHITECTURE §5).

``LambdaFunction._invoke_lambda(self, event) -> (payload_json, errored, logs)`` is replaced by a call of
the real handler named by the template's ``Handler``. Invoke, Step Functions Lambda tasks, SQS and stream
event sources therefore all run the real code. tests/integration/test_moto_seam.py guards the seam.
"""

from __future__ import annotations

import importlib
import json
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from infra.local.provision import LocalFunction

SEAM = ("moto.awslambda.models", "LambdaFunction", "_invoke_lambda")


class Context:
    """The attributes of a Lambda context object that Powertools and Chalice read."""

    def __init__(self, function: LocalFunction, region: str) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class InProcessRunner:
    def __init__(self, functions: dict[str, LocalFunction], region: str) -> None:
        self.functions = functions
        self.region = region
        self.invocations: dict[str, int] = {}
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}

    def handler_of(self, function: LocalFunction) -> Callable[[Any, Any], Any]:
        if function.name not in self._handlers:
            module = importlib.import_module(function.module)
            self._handlers[function.name] = getattr(module, function.attribute)
        return self._handlers[function.name]

    def invoke(self, function_name: str, event: Any) -> tuple[str, bool, str]:
        function = self.functions[function_name]
        payload = event if isinstance(event, (dict, list)) else json.loads(event or "{}")
        self.invocations[function_name] = self.invocations.get(function_name, 0) + 1
        try:
            # Handlers log to this process's stdout, like CloudWatch would collect them.
            result = self.handler_of(function)(payload, Context(function, self.region))
            return json.dumps(result, default=str), False, ""
        except Exception as error:  # the Lambda runtime reports every exception as a function error
            body = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_tb(error.__traceback__),
            }
            return json.dumps(body), True, ""

    def install(self) -> None:
        from moto.awslambda.models import LambdaFunction

        runner = self

        def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
            return runner.invoke(self.function_name, event)

        LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
