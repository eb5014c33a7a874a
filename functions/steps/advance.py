"""State-machine task. Advance: applies what a waiting step was resumed with (an officer's decision, the
applicant's supplement, the partner agency's reply) and tells the ``Route`` state where to go next."""

from __future__ import annotations

from typing import Any

from motcua import runtime
from motcua.dossiers import deadlines, processing
from motcua.observability import instrumented, logger, metrics
from motcua.settings import get_settings
from motcua.steps import StepEvent, transient_errors


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    step = StepEvent.model_validate(event)
    with transient_errors():
        action = processing.advance(
            runtime.dossier_store(),
            runtime.catalogue_store(),
            runtime.working_calendar(),
            step.code,
            step.decision or {},
            deadlines.SupplementClock(get_settings().supplement_clock),
        )
    logger.info("step done", extra={"step": step.step, "action": action.value})
    return {"action": action.value}
