"""Scheduled. Deadline watch: flags open dossiers that are due soon or past their due date (quá hạn)."""

from __future__ import annotations

from typing import Any

from motcua import runtime
from motcua.dossiers import service
from motcua.observability import instrumented, logger, metrics


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    report = service.watch_deadlines(runtime.dossier_store(), runtime.working_calendar())
    metrics.add_metric(name="DossiersOverdue", unit="Count", value=len(report.overdue))
    metrics.add_metric(name="DossiersDueSoon", unit="Count", value=len(report.due_soon))
    # The assignees see the alert on their tasks in the inbox; mail, SMS and Zalo come with notifications.
    for code in report.due_soon:
        logger.warning(
            "dossier due soon",
            extra={
                "dossier": code,
                "apology_by": report.apology_by[code].isoformat(),
                "tasks": report.notified[code],
            },
        )
    logger.info(
        "deadline watch", extra={"newly_overdue": len(report.overdue), "newly_due_soon": len(report.due_soon)}
    )
    return {"flagged": report.overdue, **report.model_dump(mode="json")}
