"""State-machine task. CloseRejected: the officer rejected the dossier with reasons (4 → 8)."""

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
    decision = step.decision or {}
    with transient_errors():
        dossier = processing.close_rejected(
            runtime.dossier_store(),
            step.code,
            decision.get("reasons", []),
            decision.get("officer", ""),
            runtime.working_calendar(),
        )
    logger.info("step done", extra={"step": step.step, "status": dossier.status.value})
    return {"status": dossier.status.value}
