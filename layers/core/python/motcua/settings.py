"""The environment as one validated model (ARCHITECTURE §3), read once per cold start.

Env var names live here and nowhere else. ``get_settings.cache_clear()`` lets tests and the local cloud
re-read the environment after changing it.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)

    stage: str = Field("dev", alias="STAGE")
    region: str = Field("ap-southeast-1", alias="AWS_REGION")
    province_code: str = Field("H32", alias="PROVINCE_CODE", pattern=r"^H\d{2}$")
    catalogue_table: str = Field(alias="CATALOGUE_TABLE")
    dossiers_table: str = Field(alias="DOSSIERS_TABLE")
    idempotency_table: str = Field(alias="IDEMPOTENCY_TABLE")
    dossier_state_machine_arn: str = Field("", alias="DOSSIER_STATE_MACHINE_ARN")
    citizen_issuer: str = Field(alias="CITIZEN_ISSUER")
    citizen_audience: str = Field(alias="CITIZEN_AUDIENCE")
    citizen_jwks_url: str = Field(alias="CITIZEN_JWKS_URL")
    officer_issuer: str = Field(alias="OFFICER_ISSUER")
    officer_audience: str = Field(alias="OFFICER_AUDIENCE")
    officer_jwks_url: str = Field(alias="OFFICER_JWKS_URL")
    national_catalogue_url: str = Field("", alias="NATIONAL_CATALOGUE_URL")
    files_bucket: str = Field("", alias="FILES_BUCKET")
    supplement_clock: str = Field("RESTART", alias="SUPPLEMENT_CLOCK", pattern=r"^(RESTART|PAUSE)$")
    # Set only off AWS (local cloud, tests): every client talks to this endpoint instead of AWS.
    aws_endpoint_url: str | None = Field(None, alias="AWS_ENDPOINT_URL")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    names = {field.alias for field in Settings.model_fields.values() if field.alias}
    return Settings.model_validate({name: os.environ[name] for name in names if name in os.environ})
