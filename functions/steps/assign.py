"""State-machine task. Assign: opens the task the dossier waits on — an officer's step, the applicant's
supplement or the partner agency's reply — holding the callback token; the execution waits
(``.waitForTaskToken``) until the API resumes it."""

from __future__ import annotations

from typing import Any

from motcua import runtime
from motcua.dossiers import processing
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
        task = processing.open_task(
            runtime.dossier_store(),
            runtime.catalogue_store(),
            runtime.working_calendar(),
            step.code,
            step.task_token,
        )
    logger.info("task opened", extra={"step": task.step, "role": task.role})
    return {"task_id": task.task_id}
