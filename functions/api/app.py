"""The motcua API (Chalice): citizen portal, officers, admins. Entry point only: parse, call, map."""

from __future__ import annotations

import warnings
from typing import Any

from chalice import Chalice, Response

from motcua import clock, runtime
from motcua.agencies.model import RegisterAccount
from motcua.catalogue import service as catalogue
from motcua.catalogue.search import SearchQuery
from motcua.dossiers import processing
from motcua.dossiers import service as dossiers
from motcua.errors import NotAcceptable
from motcua.files.model import UploadRequest, UploadTicket
from motcua.files.service import ConfirmUpload, ReuseResult
from motcua.observability import correlate, ensure_patched, logger, metrics
from motcua.settings import get_settings
from motcua.web.auth import Realm
from motcua.web.http import ROUTES, current_request, json_response, parse_body, query_int, query_str, route
from motcua.web.views import (
    AgencyDetail,
    AgencyTree,
    AgencyTreeNode,
    AgencyView,
    CalendarView,
    DecisionAccepted,
    DossierCreated,
    DossierSummary,
    DossierSummaryPage,
    DossierView,
    FileView,
    OverrunPage,
    ProcedurePage,
    ProcedureSummary,
    QuarantinePage,
    ReceiptSlip,
    ResultLink,
    SyncRunPage,
    TaskPage,
    TaskView,
)
from motcua.workdays.model import UpdateCalendar

app = Chalice(app_name="motcua-api")
app.log.disabled = True  # Powertools Logger is the one logger (JSON, correlation id)
PDF = "application/pdf"
app.api.binary_types.append(PDF)  # the printed forms (template.yaml BinaryMediaTypes says the same)

BOTH = (Realm.CITIZEN, Realm.OFFICER)
PORTAL_LOOKUP_URL = "https://dichvucong.khanhhoa.gov.vn/tra-cuu-ho-so"  # the provincial portal's lookup page


def _principal(realms: Realm | tuple[Realm, ...], roles: tuple[str, ...] = ()) -> Any:
    header = current_request(app).headers.get("authorization")
    return runtime.authenticator().authenticate(header, realms, roles=roles)


@app.middleware("all")
def _observe(event: Any, get_response: Any) -> Any:
    ensure_patched()
    logger.clear_state()
    logger.thread_safe_clear_keys()
    logger.append_keys(route=getattr(event, "path", None), method=getattr(event, "method", None))
    try:
        return get_response(event)
    finally:
        with warnings.catch_warnings():  # most reads add no metric; an empty flush is fine, not news
            warnings.simplefilter("ignore", UserWarning)
            metrics.flush_metrics()


# ----------------------------------------------------------------------------- catalogue
@route(
    app,
    "/v1/procedures",
    "GET",
    summary="Search published procedures (danh mục TTHC), ignoring diacritics and case",
    realm=None,
    response=ProcedurePage,
    errors=("400",),
    query=(
        ("q", "words of the name, with or without diacritics, or a procedure code"),
        ("field", "field (lĩnh vực) name"),
        ("agency", "agency code that handles it"),
        ("level", "PROVINCE | WARD | MINISTRY"),
        ("online_level", "FULL | PARTIAL | NONE"),
        ("has_fees", "true | false"),
        ("limit", "1–100"),
        ("cursor", "next_cursor of the previous page"),
    ),
)
def list_procedures() -> Response:
    has_fees = query_str(app, "has_fees")
    query = SearchQuery(
        text=query_str(app, "q") or "",
        field=query_str(app, "field"),
        agency=query_str(app, "agency"),
        level=query_str(app, "level"),
        online_level=query_str(app, "online_level"),
        has_fees=None if has_fees is None else has_fees.lower() == "true",
        offset=catalogue.parse_offset(query_str(app, "cursor")),
        limit=query_int(app, "limit", 50, 1, 100),
    )
    page = catalogue.search_procedures(runtime.catalogue_search(), query)
    cursor = None if page.next_offset is None else str(page.next_offset)
    return json_response(
        ProcedurePage(
            items=[ProcedureSummary.of(p) for p in page.items], total=page.total, next_cursor=cursor
        )
    )


@route(
    app,
    "/v1/procedures/{code}",
    "GET",
    summary="One procedure with components, fees, times",
    realm=None,
    errors=("404",),
)
def get_procedure(code: str) -> Response:
    return json_response(catalogue.get_procedure(runtime.catalogue_store(), code))


# ----------------------------------------------------------------------------- dossiers
@route(
    app,
    "/v1/dossiers",
    "POST",
    summary="Submit a dossier online (nộp hồ sơ)",
    realm="citizen",
    request=dossiers.SubmitDossier,
    response=DossierCreated,
    status=201,
    errors=("400", "401", "403", "404", "409", "422"),
    headers=(("Idempotency-Key", "a retried submission with the same key returns the first result"),),
)
def submit_dossier() -> Response:
    principal = _principal(Realm.CITIZEN)
    request = parse_body(app, dossiers.SubmitDossier)
    return _intake(principal, request, dossiers.submit)


@route(
    app,
    "/v1/desk/dossiers",
    "POST",
    summary="Receive a dossier at the one-stop desk or by post, for an applicant",
    realm="officer",
    request=dossiers.ReceiveAtDesk,
    response=DossierCreated,
    status=201,
    errors=("400", "401", "403", "404", "409", "422"),
    headers=(("Idempotency-Key", "a retried receipt with the same key returns the first result"),),
)
def receive_at_desk() -> Response:
    principal = _principal(Realm.OFFICER, roles=dossiers.DESK_ROLES)
    request = parse_body(app, dossiers.ReceiveAtDesk)
    return _intake(principal, request, dossiers.receive_at_desk)


def _intake(principal: Any, request: Any, receive: Any) -> Response:
    """Receipt on any channel: once per Idempotency-Key, then the execution is started (again, on a replay;
    Step Functions refuses a second one by name)."""
    from motcua.web.idempotency import run_once

    fresh = []  # set when this request created the dossier (not a replay of a stored result)

    def produce() -> dict[str, Any]:
        fresh.append(True)
        dossier = receive(
            principal,
            request,
            runtime.catalogue_store(),
            runtime.dossier_store(),
            runtime.working_calendar(),
            runtime.file_store,
        )
        correlate(dossier.code)
        logger.info(
            "dossier received", extra={"procedure": dossier.procedure_code, "channel": dossier.channel.value}
        )
        metrics.add_metric(name="DossierReceived", unit="Count", value=1)
        return DossierCreated.of(dossier).model_dump(mode="json")

    key = current_request(app).headers.get("idempotency-key")
    created = run_once(principal.subject, key, request.model_dump(mode="json"), produce)
    dossiers.start_processing(
        runtime.dossier_store(), runtime.workflow(), created["code"], replayed=not fresh
    )
    return json_response(created, status=201, headers={"Location": f"/v1/dossiers/{created['code']}"})


@route(
    app,
    "/v1/dossiers/{code}",
    "GET",
    summary="A dossier's status and timeline",
    realm="citizen|officer",
    response=DossierView,
    errors=("401", "404"),
)
def get_dossier(code: str) -> Response:
    principal = _principal(BOTH)
    dossier, timeline = dossiers.view(principal, code, runtime.dossier_store())
    correlate(dossier.code)
    logger.info("dossier read", extra={"audit": {"account": principal.subject, "event": "VIEW"}})
    return json_response(DossierView.of(dossier, timeline))


@route(
    app,
    "/v1/dossiers/{code}/slip",
    "GET",
    summary="The receipt and appointment slip (Mẫu 01) as data, with the QR lookup",
    realm="citizen|officer",
    response=ReceiptSlip,
    errors=("401", "404"),
)
def receipt_slip(code: str) -> Response:
    principal = _principal(BOTH)
    dossier, procedure, agency_name = dossiers.receipt_slip_data(
        principal, code, runtime.dossier_store(), runtime.catalogue_store(), runtime.agency_store()
    )
    # The QR carries the lookup address only; whoever scans it types the ID number (GET /v1/lookup), so the
    # slip reveals nothing to someone who merely sees the code.
    lookup = f"{PORTAL_LOOKUP_URL}?ma={dossier.code}"
    return json_response(ReceiptSlip.of(dossier, procedure, agency_name, lookup))


def _pdf(filename: str, render: Any, data: dict[str, Any]) -> Response:
    if PDF not in (current_request(app).headers.get("accept") or ""):
        raise NotAcceptable("Biểu mẫu chỉ có định dạng PDF: gửi kèm Accept: application/pdf.")
    return Response(
        body=render(data),
        headers={"Content-Type": PDF, "Content-Disposition": f'inline; filename="{filename}"'},
    )


@route(
    app,
    "/v1/dossiers/{code}/forms/{form}",
    "GET",
    summary="A printed form of the dossier as PDF: mau-01 slip (with QR), mau-02 completion request, mau-04 apology",
    realm="citizen|officer",
    media_type=PDF,
    errors=("401", "404", "406"),
)
def dossier_form(code: str, form: str) -> Response:
    from motcua.forms import pdf

    principal = _principal(BOTH)
    data = dossiers.form_document(
        principal,
        code,
        form,
        runtime.dossier_store(),
        runtime.catalogue_store(),
        runtime.agency_store(),
        f"{PORTAL_LOOKUP_URL}?ma={code}",
    )
    correlate(code)
    logger.info(
        "form printed", extra={"form": form, "audit": {"account": principal.subject, "event": "VIEW"}}
    )
    return _pdf(f"{code}-{form}.pdf", pdf.FORM_RENDERERS[form], data)


@route(
    app,
    "/v1/desk/refusals",
    "POST",
    summary="Refuse to receive a dossier, with reasons: the refusal slip (Mẫu 03) as PDF; nothing is stored",
    realm="officer",
    request=dossiers.RefuseReceipt,
    media_type=PDF,
    errors=("400", "401", "403", "404", "406", "422"),
)
def refuse_receipt() -> Response:
    from motcua.forms import pdf

    principal = _principal(Realm.OFFICER, roles=dossiers.DESK_ROLES)
    request = parse_body(app, dossiers.RefuseReceipt)
    data = dossiers.refuse_receipt(principal, request, runtime.catalogue_store(), runtime.agency_store())
    logger.info(
        "receipt refused",
        extra={
            "procedure": request.procedure_code,
            "audit": {"account": principal.subject, "event": "REFUSAL"},
        },
    )
    return _pdf("tu-choi-tiep-nhan.pdf", pdf.refusal_pdf, data)


@route(
    app,
    "/v1/dossiers/{code}/withdrawal",
    "POST",
    summary="Withdraw my dossier (rút hồ sơ): the processing stops",
    realm="citizen",
    request=dossiers.WithdrawDossier,
    response=DossierView,
    errors=("400", "401", "403", "404", "409"),
)
def withdraw_dossier(code: str) -> Response:
    principal = _principal(Realm.CITIZEN)
    request = parse_body(app, dossiers.WithdrawDossier)
    dossier, timeline = dossiers.withdraw(
        principal, code, request, runtime.dossier_store(), runtime.workflow(), runtime.working_calendar()
    )
    correlate(dossier.code)
    logger.info("dossier withdrawn", extra={"audit": {"account": principal.subject, "event": "TRANSITION"}})
    return json_response(DossierView.of(dossier, timeline))


@route(
    app,
    "/v1/me/dossiers",
    "GET",
    summary="My dossiers (hồ sơ của tôi), newest first",
    realm="citizen",
    response=DossierSummaryPage,
    errors=("400", "401", "403"),
    query=(("limit", "1–100"), ("cursor", "next_cursor of the page")),
)
def my_dossiers() -> Response:
    principal = _principal(Realm.CITIZEN)
    found, cursor = dossiers.my_dossiers(
        principal,
        runtime.dossier_store(),
        limit=query_int(app, "limit", 20, 1, 100),
        cursor=query_str(app, "cursor"),
    )
    return json_response(DossierSummaryPage(items=[DossierSummary.of(d) for d in found], next_cursor=cursor))


@route(
    app,
    "/v1/lookup/{code}",
    "GET",
    summary="Public lookup by code and ID number (the QR of the receipt slip): status only",
    realm=None,
    response=DossierSummary,
    errors=("404",),
    query=(("id_number", "the applicant's ID number"),),
)
def lookup(code: str) -> Response:
    dossier = dossiers.public_lookup(runtime.dossier_store(), code, query_str(app, "id_number") or "")
    return json_response(DossierSummary.of(dossier))


# ----------------------------------------------------------------------------- component files
@route(
    app,
    "/v1/uploads",
    "POST",
    summary="Ask to upload a component file: a presigned S3 POST bound to its type, size and SHA-256",
    realm="citizen|officer",
    request=UploadRequest,
    response=UploadTicket,
    status=201,
    errors=("400", "401", "403", "422"),
)
def request_upload() -> Response:
    from motcua.files import service as files

    principal = _principal(BOTH)
    ticket = files.ticket(principal, parse_body(app, UploadRequest), runtime.file_store())
    return json_response(ticket, status=201)


@route(
    app,
    "/v1/uploads/{file_id}/confirmation",
    "POST",
    summary="Confirm an upload: S3's size, type and SHA-256 must be those declared; then it can be linked",
    realm="citizen|officer",
    request=ConfirmUpload,
    response=FileView,
    errors=("400", "401", "403", "422"),
)
def confirm_upload(file_id: str) -> Response:
    from motcua.files import service as files

    principal = _principal(BOTH)
    stored = files.confirm(principal, file_id, parse_body(app, ConfirmUpload), runtime.file_store())
    logger.info("file confirmed", extra={"audit": {"account": principal.subject, "event": "UPLOAD"}})
    return json_response(FileView.of(stored))


@route(
    app,
    "/v1/uploads/reuse",
    "POST",
    summary="Reuse a file of one of my earlier dossiers for a new component (recorded as reuse)",
    realm="citizen",
    request=ReuseResult,
    response=FileView,
    status=201,
    errors=("400", "401", "403", "404", "409"),
)
def reuse_file() -> Response:
    from motcua.files import service as files

    principal = _principal(Realm.CITIZEN)
    stored = files.reuse(
        principal, parse_body(app, ReuseResult), runtime.dossier_store(), runtime.file_store()
    )
    logger.info("file reused", extra={"audit": {"account": principal.subject, "event": "REUSE"}})
    return json_response(FileView.of(stored), status=201)


@route(
    app,
    "/v1/dossiers/{code}/result",
    "GET",
    summary="The dossier's electronic result: a five-minute download link",
    realm="citizen|officer",
    response=ResultLink,
    errors=("401", "404"),
)
def dossier_result(code: str) -> Response:
    from motcua.files import service as files

    principal = _principal(BOTH)
    record, url = files.result_link(principal, code, runtime.dossier_store(), runtime.file_store())
    correlate(code)
    logger.info("result downloaded", extra={"audit": {"account": principal.subject, "event": "VIEW"}})
    return json_response(ResultLink(file=FileView.of(record), url=url, expires_in=files.RESULT_LINK_SECONDS))


# ----------------------------------------------------------------------------- officer tasks
@route(
    app,
    "/v1/tasks",
    "GET",
    summary="The officer's inbox",
    realm="officer",
    response=TaskPage,
    errors=("400", "401", "403"),
    query=(("limit", "1–100"), ("cursor", "next_cursor of the page")),
)
def list_tasks() -> Response:
    principal = _principal(Realm.OFFICER, roles=tuple(dossiers.OFFICER_READ_ROLES))
    tasks, cursor = dossiers.inbox(
        principal,
        runtime.dossier_store(),
        limit=query_int(app, "limit", 50, 1, 100),
        cursor=query_str(app, "cursor"),
    )
    return json_response(TaskPage(items=[TaskView.of(t) for t in tasks], next_cursor=cursor))


@route(
    app,
    "/v1/tasks/{task_id}/claim",
    "POST",
    summary="Claim a task (nhận xử lý): it leaves the other officers' personal inboxes",
    realm="officer",
    response=TaskView,
    errors=("401", "403", "404", "409"),
)
def claim_task(task_id: str) -> Response:
    principal = _principal(Realm.OFFICER)
    task = processing.claim(principal, task_id, runtime.dossier_store())
    correlate(task.dossier_code)
    logger.info("task claimed", extra={"step": task.step})
    return json_response(TaskView.of(task))


@route(
    app,
    "/v1/tasks/{task_id}/decision",
    "POST",
    summary="Decide a task: forward, approve, return, request a supplement, reject, transfer, or reply",
    realm="officer",
    request=processing.DecideTask,
    response=DecisionAccepted,
    errors=("400", "401", "403", "404", "409", "422"),
)
def decide_task(task_id: str) -> Response:
    principal = _principal(Realm.OFFICER)
    request = parse_body(app, processing.DecideTask)
    task = processing.decide(
        principal,
        task_id,
        request,
        runtime.dossier_store(),
        runtime.workflow(),
        runtime.catalogue_store(),
        runtime.agency_store(),
        runtime.file_store,
    )
    correlate(task.dossier_code)
    logger.info("task decided", extra={"outcome": request.outcome.value, "step": task.step})
    return json_response(DecisionAccepted.of(task))


@route(
    app,
    "/v1/dossiers/{code}/supplement",
    "POST",
    summary="Send the supplement the agency asked for (nộp bổ sung hồ sơ)",
    realm="citizen",
    request=processing.ProvideSupplement,
    response=DecisionAccepted,
    errors=("400", "401", "403", "404", "409"),
)
def provide_supplement(code: str) -> Response:
    principal = _principal(Realm.CITIZEN)
    request = parse_body(app, processing.ProvideSupplement)
    task = processing.provide_supplement(
        principal, code, request, runtime.dossier_store(), runtime.workflow()
    )
    correlate(task.dossier_code)
    logger.info("supplement provided", extra={"audit": {"account": principal.subject, "event": "SUPPLEMENT"}})
    return json_response(DecisionAccepted.of(task))


@route(
    app,
    "/v1/dossiers/{code}/apology",
    "POST",
    summary="Send the apology with a new appointment (Mẫu 04): once, ≥ 1 working day before the due date",
    realm="officer",
    request=processing.SendApology,
    response=DossierView,
    errors=("400", "401", "403", "404", "409"),
)
def send_apology(code: str) -> Response:
    principal = _principal(Realm.OFFICER)
    request = parse_body(app, processing.SendApology)
    dossier, timeline = processing.apologise(
        principal, code, request, runtime.dossier_store(), runtime.working_calendar()
    )
    correlate(dossier.code)
    logger.info("apology sent", extra={"audit": {"account": principal.subject, "event": "APOLOGY"}})
    return json_response(DossierView.of(dossier, timeline))


@route(
    app,
    "/v1/dossiers/{code}/rating",
    "POST",
    summary="Rate how my dossier was handled (đánh giá mức độ hài lòng), once it ended",
    realm="citizen",
    request=processing.RateDossier,
    response=DossierSummary,
    errors=("400", "401", "403", "404", "409"),
)
def rate_dossier(code: str) -> Response:
    principal = _principal(Realm.CITIZEN)
    request = parse_body(app, processing.RateDossier)
    dossier = processing.rate(principal, code, request, runtime.dossier_store())
    correlate(dossier.code)
    return json_response(DossierSummary.of(dossier))


# ----------------------------------------------------------------------------- agencies
@route(
    app,
    "/v1/agencies",
    "GET",
    summary="The province's agency tree (cây cơ quan)",
    realm=None,
    response=AgencyTree,
)
def list_agencies() -> Response:
    from motcua.agencies import service as agencies

    tree = agencies.agency_tree(runtime.agency_store(), get_settings().province_code)
    return json_response(AgencyTree(items=[AgencyTreeNode.of(node) for node in tree]))


@route(
    app,
    "/v1/agencies/{code}",
    "GET",
    summary="One agency with its units and beneficiary accounts",
    realm=None,
    response=AgencyDetail,
    errors=("404",),
)
def get_agency(code: str) -> Response:
    from motcua.agencies import service as agencies

    agency, children, accounts = agencies.get_agency(runtime.agency_store(), code)
    return json_response(
        AgencyDetail(
            agency=AgencyView.of(agency), children=[AgencyView.of(c) for c in children], accounts=accounts
        )
    )


# ----------------------------------------------------------------------------- administration
ADMIN = ("PROVINCE_ADMIN", "AUDITOR")


@route(
    app,
    "/v1/admin/agencies/{code}/accounts",
    "POST",
    summary="Register a beneficiary account (tài khoản thụ hưởng) of an agency for some fees",
    realm="officer",
    request=RegisterAccount,
    response=AgencyDetail,
    status=201,
    errors=("400", "401", "403", "404", "409", "422"),
)
def register_account(code: str) -> Response:
    from motcua.agencies import service as agencies

    principal = _principal(Realm.OFFICER, roles=("PROVINCE_ADMIN",))
    request = parse_body(app, RegisterAccount)
    agency, children, accounts = agencies.register_requested_account(runtime.agency_store(), code, request)
    logger.info(
        "beneficiary account registered",
        extra={"audit": {"account": principal.subject, "event": "ADMIN_CHANGE"}},
    )
    return json_response(
        AgencyDetail(
            agency=AgencyView.of(agency), children=[AgencyView.of(c) for c in children], accounts=accounts
        ),
        status=201,
    )


@route(
    app,
    "/v1/admin/catalogue/sync-runs",
    "GET",
    summary="Catalogue sync runs, newest first",
    realm="officer",
    response=SyncRunPage,
    errors=("401", "403"),
)
def list_sync_runs() -> Response:
    from motcua.catalogue import sync

    _principal(Realm.OFFICER, roles=ADMIN)
    return json_response(SyncRunPage(items=sync.runs(runtime.catalogue_store(), limit=50)))


@route(
    app,
    "/v1/admin/catalogue/quarantine",
    "GET",
    summary="National records that could not be read, with the reason",
    realm="officer",
    response=QuarantinePage,
    errors=("401", "403"),
)
def list_quarantine() -> Response:
    from motcua.catalogue import sync

    _principal(Realm.OFFICER, roles=ADMIN)
    return json_response(QuarantinePage(items=sync.quarantine(runtime.catalogue_store())))


@route(
    app,
    "/v1/admin/catalogue/overruns",
    "GET",
    summary="Procedures whose internal steps add up to more than the legal time",
    realm="officer",
    response=OverrunPage,
    errors=("401", "403"),
)
def list_overruns() -> Response:
    _principal(Realm.OFFICER, roles=ADMIN)
    found = runtime.catalogue_search().overruns()
    return json_response(OverrunPage(items=[ProcedureSummary.of(p) for p in found]))


@route(
    app,
    "/v1/admin/calendar",
    "GET",
    summary="The province's calendar overrides (extra days off, make-up working days)",
    realm="officer",
    response=CalendarView,
    errors=("401", "403"),
)
def get_calendar() -> Response:
    _principal(Realm.OFFICER, roles=(*ADMIN, "AGENCY_ADMIN"))
    return json_response(_calendar_view(runtime.calendar_store().get()))


@route(
    app,
    "/v1/admin/calendar",
    "PUT",
    summary="Replace the calendar overrides (optimistic lock on version)",
    realm="officer",
    request=UpdateCalendar,
    response=CalendarView,
    errors=("400", "401", "403", "409", "422"),
)
def put_calendar() -> Response:
    principal = _principal(Realm.OFFICER, roles=("PROVINCE_ADMIN",))
    from motcua.workdays import service as workdays

    request = parse_body(app, UpdateCalendar)
    settings = workdays.update(runtime.calendar_store(), request, principal.subject)
    logger.info("calendar changed", extra={"audit": {"account": principal.subject, "event": "ADMIN_CHANGE"}})
    runtime.calendar_provider.cache_clear()  # this container uses the new calendar at once
    return json_response(_calendar_view(settings))


def _calendar_view(settings: Any) -> CalendarView:
    from motcua.calendar import WorkingCalendar
    from motcua.workdays import service as workdays

    calendar = WorkingCalendar(overrides=settings.overrides())
    upcoming = workdays.working_days(calendar, clock.now().date(), 30)
    return CalendarView(settings=settings, next_working_days=upcoming)


# ----------------------------------------------------------------------------- documentation
@route(app, "/v1/openapi.json", "GET", summary="This API's OpenAPI document", realm=None)
def openapi() -> Response:
    from motcua.web.openapi import build_document

    return json_response(build_document(ROUTES[app.app_name], title="motcua API", version="1"))
