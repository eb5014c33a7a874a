"""State-machine task. Assign: opens the officer's task holding the callback token, then the execution waits
(``.waitForTaskToken``) until the decision endpoint resumes it."""

from __future__ import annotations

from typing import Any

from motcua import runtime
from motcua.dossiers import service
from motcua.errors import BadRequest
from motcua.observability import instrumented, logger, metrics
from motcua.steps import StepEvent, transient_errors


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = StepEvent.model_validate(event)
    if not step.task_token:
        raise BadRequest(code="TASK_TOKEN_MISSING")
    with transient_errors():
        task = service.open_review_task(
            runtime.dossier_store(), runtime.catalogue_store(), step.code, step.step, step.task_token
        )
    logger.info("task opened", extra={"step": task.step, "role": task.role})
    return {"task_id": task.task_id}
