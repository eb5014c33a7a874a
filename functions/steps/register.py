"""State-machine task. Register: a received dossier enters processing at its first internal step (2 → 4)."""

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
        dossier, action = processing.register(runtime.dossier_store(), runtime.catalogue_store(), step.code)
    logger.info(
        "step done", extra={"step": step.step, "status": dossier.status.value, "action": action.value}
    )
    return {"status": dossier.status.value, "action": action.value}
