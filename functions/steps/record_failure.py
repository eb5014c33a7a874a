"""State-machine catch-all. RecordFailure: flags the dossier and counts StepFailed (the alarm's metric).

The dossier keeps its status, so nothing is lost: an operator finds it flagged and can resume it.
"""

from __future__ import annotations

from typing import Any

from motcua import runtime
from motcua.dossiers import service
from motcua.observability import instrumented, logger, metrics
from motcua.steps import StepEvent, transient_errors


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = StepEvent.model_validate(event)
    error = step.error or {}
    with transient_errors():
        dossier = service.record_failure(
            runtime.dossier_store(),
            step.code,
            step.step,
            str(error.get("Error", "")),
            str(error.get("Cause", "")),
        )
    metrics.add_metric(name="StepFailed", unit="Count", value=1)
    logger.error("dossier step failed", extra={"error": str(error.get("Error", ""))})
    return {"flagged": dossier is not None}
