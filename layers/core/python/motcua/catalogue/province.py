"""The province's configuration on top of the national catalogue (DOMAIN §2, §4). Pure.

The national records mark no document component as required and carry many fees as 0 with "set by the
provincial council" in the text, and they hold no internal procedure. What Khánh Hòa requires, charges and
how its agencies process a procedure is therefore configuration, applied by the sync on top of the national
record so that it is versioned with it: a dossier keeps the fees and components of the version it was
received under.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from motcua.catalogue.model import Component, Fee, InternalStep, Procedure, steps_overrun

# Words that open the name of an application form (tờ khai, đơn, giấy đề nghị…): the component every case
# needs. Used only where the configuration does not name the required components of a procedure.
APPLICATION_FORM_PREFIXES = (
    "tờ khai",
    "đơn ",
    "đơn đề nghị",
    "giấy đề nghị",
    "văn bản đề nghị",
    "phiếu đề nghị",
)


class ProcedureOverride(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    required_components: tuple[str, ...] | None = None
    fees: tuple[Fee, ...] | None = None
    steps: tuple[InternalStep, ...] | None = None
    agencies: tuple[str, ...] | None = None


class ProvinceCatalogueConfig(BaseModel):
    """What the province adds to the national catalogue; edited by the provincial administrator."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    province_code: str = "H32"
    commune_agencies: tuple[str, ...] = Field(
        default=(), description="ward, commune and special-zone agencies"
    )
    procedures: dict[str, ProcedureOverride] = Field(default_factory=dict)

    def content_hash(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def _starts_like_form(name: str) -> bool:
    text = unicodedata.normalize("NFC", name).strip().lower()
    return text.startswith(APPLICATION_FORM_PREFIXES)


def default_required(components: Sequence[Component]) -> set[str]:
    """The application form(s): in each case group, the components whose name opens like a form; if no group
    has one, the first component of the first group."""
    forms = {c.code for c in components if _starts_like_form(c.name)}
    if forms or not components:
        return forms
    return {components[0].code}


def apply(
    procedure: Procedure, config: ProvinceCatalogueConfig, default_steps: tuple[InternalStep, ...]
) -> Procedure:
    """The procedure as Khánh Hòa runs it: required components, local fees, agencies, internal steps."""
    override = config.procedures.get(procedure.code, ProcedureOverride())
    required = (
        set(override.required_components)
        if override.required_components is not None
        else default_required(procedure.components)
    )
    components = tuple(c.model_copy(update={"required": c.code in required}) for c in procedure.components)
    agencies = override.agencies if override.agencies is not None else procedure.agencies
    if not agencies:
        is_commune = "WARD" in procedure.level.split(",")
        agencies = config.commune_agencies if is_commune else (config.province_code,)
    applied = procedure.model_copy(
        update={
            "components": components,
            "fees": override.fees if override.fees is not None else procedure.fees,
            "agencies": tuple(agencies),
            "steps": override.steps if override.steps is not None else default_steps,
        }
    )
    return applied.model_copy(update={"steps_overrun": steps_overrun(applied)})


def load_config(text: str) -> ProvinceCatalogueConfig:
    return ProvinceCatalogueConfig.model_validate(json.loads(text))
