"""Binds PynamoDB models to the tables named by the environment.

Table names come from the template (``!Ref``), so they are known only at run time: stores call ``bind``
once when they are built instead of hard-coding names in ``Meta``.
"""

from __future__ import annotations

from typing import Any

from motcua.settings import Settings


def bind(model: Any, table_name: str, settings: Settings) -> None:
    meta = model.Meta
    if (
        getattr(meta, "table_name", None) == table_name
        and getattr(meta, "host", None) == settings.aws_endpoint_url
    ):
        return
    meta.table_name = table_name
    meta.region = settings.region
    meta.host = settings.aws_endpoint_url
    model._connection = None
