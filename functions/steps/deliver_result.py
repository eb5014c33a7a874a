"""State-machine task. DeliverResult: the result is returned to the applicant (9 → 10)."""

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
        dossier = processing.deliver_result(runtime.dossier_store(), step.code)
    logger.info("step done", extra={"step": step.step, "status": dossier.status.value})
    return {"status": dossier.status.value}
