"""Powertools singletons: one Logger, Tracer and Metrics per function (service name from the environment).

Personal data never reaches logs: log dossier codes, statuses and counts, never applicant fields. The
correlation id is the dossier code (``logger.set_correlation_id(code)``).
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(utc=True)
tracer = Tracer()
metrics = Metrics()
