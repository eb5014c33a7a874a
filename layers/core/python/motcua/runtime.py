"""Composition: builds each store, port and policy once per container, from the settings.

Handlers ask here for what a service needs; tests call ``reset()`` after changing the environment.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from motcua.settings import get_settings

if TYPE_CHECKING:
    from motcua.agencies.store import AgencyStore
    from motcua.calendar import WorkingCalendar
    from motcua.catalogue.service import CatalogueSearch
    from motcua.catalogue.store import CatalogueStore
    from motcua.dossiers.store import DossierStore
    from motcua.files.store import FileStore
    from motcua.integrations.national_catalogue import HttpNationalCatalogue
    from motcua.integrations.workflow import StepFunctionsWorkflow
    from motcua.web.auth import Authenticator
    from motcua.workdays.service import CalendarProvider
    from motcua.workdays.store import CalendarStore


@lru_cache(maxsize=1)
def catalogue_store() -> CatalogueStore:
    from motcua.catalogue.store import CatalogueStore

    return CatalogueStore(get_settings())


@lru_cache(maxsize=1)
def dossier_store() -> DossierStore:
    from motcua.dossiers.store import DossierStore

    return DossierStore(get_settings())


@lru_cache(maxsize=1)
def workflow() -> StepFunctionsWorkflow:
    from motcua.integrations.workflow import StepFunctionsWorkflow

    return StepFunctionsWorkflow(get_settings().dossier_state_machine_arn)


@lru_cache(maxsize=1)
def calendar_store() -> CalendarStore:
    from motcua.workdays.store import CalendarStore

    return CalendarStore(get_settings())


@lru_cache(maxsize=1)
def calendar_provider() -> CalendarProvider:
    from motcua.workdays.service import CalendarProvider

    return CalendarProvider(calendar_store())


def working_calendar() -> WorkingCalendar:
    """Vietnam's holidays plus the province's overrides, as last read (refreshed every minute)."""
    return calendar_provider().calendar()


@lru_cache(maxsize=1)
def authenticator() -> Authenticator:
    from motcua.web.auth import Authenticator, Realm, RealmConfig

    s = get_settings()
    return Authenticator(
        {
            Realm.CITIZEN: RealmConfig(s.citizen_issuer, s.citizen_audience, s.citizen_jwks_url),
            Realm.OFFICER: RealmConfig(s.officer_issuer, s.officer_audience, s.officer_jwks_url),
        }
    )


@lru_cache(maxsize=1)
def catalogue_search() -> CatalogueSearch:
    from motcua.catalogue.service import CatalogueSearch

    return CatalogueSearch(catalogue_store())


@lru_cache(maxsize=1)
def agency_store() -> AgencyStore:
    from motcua.agencies.store import AgencyStore

    return AgencyStore(get_settings())


@lru_cache(maxsize=1)
def file_store() -> FileStore:
    from motcua.files.store import FileStore

    settings = get_settings()
    return FileStore(settings, settings.files_bucket)


def national_catalogue() -> HttpNationalCatalogue:
    from motcua.integrations.national_catalogue import HttpNationalCatalogue

    return HttpNationalCatalogue(get_settings().national_catalogue_url)


def reset() -> None:
    get_settings.cache_clear()
    for factory in (
        catalogue_store,
        dossier_store,
        workflow,
        calendar_store,
        calendar_provider,
        authenticator,
        catalogue_search,
        agency_store,
        file_store,
    ):
        factory.cache_clear()
