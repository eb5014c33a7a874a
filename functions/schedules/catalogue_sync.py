"""Scheduled. Catalogue sync from the national procedure database (CSDLQG về TTHC).

Incremental by default (what changed since the last successful run); ``{"full": true}`` in the event asks for
a full run, which also withdraws procedures the national list no longer holds. An interrupted run resumes.
"""

from __future__ import annotations

from typing import Any

from motcua import clock, runtime
from motcua.agencies import service as agencies
from motcua.catalogue import sync
from motcua.observability import instrumented, logger, metrics
from motcua.settings import get_settings


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    store = runtime.catalogue_store()
    communes = agencies.commune_codes(runtime.agency_store(), get_settings().province_code)
    config = sync.province_config(store, commune_agencies=communes)
    result = sync.run(store, runtime.national_catalogue(), config, clock.now(), full=bool(event.get("full")))
    counters = result.counters
    for name in ("created", "updated", "withdrawn", "unchanged", "quarantined", "overrun"):
        metrics.add_metric(name=f"CatalogueSync{name.title()}", unit="Count", value=getattr(counters, name))
    logger.info(
        "catalogue sync",
        extra={"run": result.run_id, "mode": result.mode.value, "counters": counters.model_dump()},
    )
    return result.model_dump(mode="json")
