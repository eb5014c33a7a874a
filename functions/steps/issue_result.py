"""State-machine task. IssueResult: the result is signed and issued (4 → 9); timeliness is fixed now."""

from __future__ import annotations

from typing import Any

from motcua import runtime
from motcua.dossiers import processing
from motcua.observability import instrumented, logger, metrics
from motcua.steps import StepEvent, transient_errors


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = StepEvent.model_validate(event)
    with transient_errors():
        dossier, action = processing.issue_result(
            runtime.dossier_store(),
            runtime.catalogue_store(),
            step.code,
            runtime.working_calendar(),
            runtime.file_store,
        )
    logger.info(
        "step done", extra={"step": step.step, "status": dossier.status.value, "action": action.value}
    )
    return {"status": dossier.status.value, "action": action.value}
