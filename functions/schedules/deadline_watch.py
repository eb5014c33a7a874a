"""Scheduled. Deadline watch: flags open dossiers whose due date has passed (quá hạn)."""

from __future__ import annotations

from typing import Any

from motcua import runtime
from motcua.dossiers import service
from motcua.observability import instrumented, logger, metrics


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    flagged = service.flag_overdue(runtime.dossier_store())
    metrics.add_metric(name="DossiersOverdue", unit="Count", value=len(flagged))
    logger.info("deadline watch", extra={"newly_overdue": len(flagged)})
    return {"flagged": flagged}
