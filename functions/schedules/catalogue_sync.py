"""Scheduled. Catalogue sync from the national procedure database (CSDLQG về TTHC).

Incremental by default (what changed since the last successful run); ``{"full": true}`` in the event asks for
a full run, which also withdraws procedures the national list no longer holds. An interrupted run resumes.
"""

from __future__ import annotations

from typing import Any

from motcua import clock, runtime
from motcua.agencies.model import AgencyKind
from motcua.catalogue import sync
from motcua.observability import instrumented, logger, metrics
from motcua.settings import get_settings

# Procedures handled at commune level are offered by every ward, commune and the special zone.
COMMUNE_KINDS = frozenset({AgencyKind.WARD, AgencyKind.COMMUNE, AgencyKind.SPECIAL_ZONE})


@logger.inject_lambda_context
@instrumented
@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    store = runtime.catalogue_store()
    province = get_settings().province_code
    communes = [a.code for a in runtime.agency_store().list_all(province) if a.kind in COMMUNE_KINDS]
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
