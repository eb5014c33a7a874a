"""The workflow port: starting a dossier's execution and resuming a waiting step (Step Functions)."""

from __future__ import annotations

import json
from typing import Any, Protocol

from motcua.errors import Conflict


class TransientWorkflowError(Exception):
    """The workflow engine could not be reached; the caller may retry."""


class Workflow(Protocol):
    def start(self, dossier_code: str, payload: dict[str, Any]) -> None: ...

    def resume(self, task_token: str, output: dict[str, Any]) -> None: ...

    def stop(self, dossier_code: str, cause: str) -> None: ...


class StepFunctionsWorkflow:
    """Adapter over boto3. The execution is named by the dossier code so that a retried start cannot
    create a second execution (ARCHITECTURE §4)."""

    def __init__(self, state_machine_arn: str, client: Any | None = None) -> None:
        self._arn = state_machine_arn
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3  # lazily: only intake and decisions need it

            self._client = boto3.client("stepfunctions")
        return self._client

    def start(self, dossier_code: str, payload: dict[str, Any]) -> None:
        try:
            self.client.start_execution(
                stateMachineArn=self._arn, name=dossier_code, input=json.dumps(payload)
            )
        except self.client.exceptions.ExecutionAlreadyExists:
            return  # a retry of the same intake: the execution is already running

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        try:
            self.client.send_task_success(taskToken=task_token, output=json.dumps(output))
        except (self.client.exceptions.TaskTimedOut, self.client.exceptions.InvalidToken) as error:
            raise Conflict("Bước xử lý này không còn chờ quyết định.", code="TASK_NOT_WAITING") from error
        except self.client.exceptions.TaskDoesNotExist as error:
            raise Conflict("Bước xử lý này không còn chờ quyết định.", code="TASK_NOT_WAITING") from error

    def stop(self, dossier_code: str, cause: str) -> None:
        """Stop the dossier's execution (a withdrawal): whatever it waited for will not come."""
        execution = self._arn.replace(":stateMachine:", ":execution:") + f":{dossier_code}"
        try:
            self.client.stop_execution(executionArn=execution, error="DossierWithdrawn", cause=cause[:200])
        except self.client.exceptions.ExecutionDoesNotExist:
            return  # never started (or already gone): nothing to stop
