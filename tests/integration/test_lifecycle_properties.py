"""Random sequences of API calls against one dossier keep the lifecycle's invariants (moto, in process).

Each example receives a fresh dossier of the demo procedure (1.001193: reception, the specialist, the approver,
the desk returning the result), starts its execution, then plays up to 12 calls chosen at random: officers'
decisions with any outcome (the suspension and its end too) by any of four officers (the specialist, the approver, the desk, the partner
agency's specialist), the applicant's supplement, withdrawal and rating, the apology, and decisions on stale
or made-up task ids. After an accepted decision or supplement the execution is played on (Advance → Route →
… → the next wait), the way Step Functions would — right away, or ("late") only after the next call, which
then lands in the window between the API's accept and Advance. An execution stopped in that window (the
applicant withdrew) still runs the Advance already under way, and nothing after it. After every call and
every late Advance:

(a) nothing answers 5xx and no step of the execution fails (but a late Advance on a stopped execution may
    refuse, with a domain error);
(b) every answer is 200/201/403/404/409/422, a refusal with an error code;
(c) a refused call changes no item of the dossier;
(d) each status in the timeline follows the previous one by ``lifecycle.TRANSITIONS`` (or is the same status:
    a step move within IN_PROCESS / RESULT_READY), and the dossier's status is its timeline's last;
(e) the dossier is asked for a supplement at most once;
(f) at most one task is open; while the dossier is not final exactly one is (the execution waits on it),
    none while a resume is still to be applied;
(g) once the status is final nothing changes any more, except the rating (set once).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st

from motcua import runtime
from motcua.dossiers import routing
from motcua.dossiers.lifecycle import FINAL, TRANSITIONS, Status
from motcua.dossiers.model import Dossier, ProgressRecord, Task, TaskStatus
from motcua.errors import DomainError
from tests.integration.conftest import OTHER_AGENCY, REQUIRED_COMPONENT, Motcua, Reply

AGENCIES = Path(__file__).resolve().parents[1] / "fixtures" / "national-catalogue" / "khanh-hoa-agencies.json"
ANSWERS = frozenset({200, 201, 403, 404, 409, 422})
OFFICERS = ("processor", "approver", "desk", "partner")
# Whoever the open task is for (found when the call is made): the officer of the four who holds its role at its
# agency, or the applicant (the supplement) when the dossier waits on them.
RIGHT = "right"
LATE = "late"
# In the order of preference of "the n-th allowed outcome": onwards first, the end of the road last.
OUTCOMES = (
    "FORWARD",
    "APPROVE",
    "REPLY",
    "RESUME",
    "REQUEST_SUPPLEMENT",
    "TRANSFER",
    "SUSPEND",
    "RETURN",
    "REJECT",
)

# ----------------------------------------------------------------------------- the calls
Call = tuple[Any, ...]

# Drawn as such: Hypothesis favours a list's ends, so a rejection (which ends the dossier) is in the middle.
any_outcome = st.sampled_from(
    ("FORWARD", "RETURN", "REQUEST_SUPPLEMENT", "SUSPEND", "REJECT", "RESUME", "TRANSFER", "REPLY", "APPROVE")
)
# A random outcome by a random officer is mostly refused; to get far into the lifecycle, a decision is mostly
# "the n-th outcome the position allows" (an int; past the last: the first), and mostly by the one the task is for.
outcomes = st.one_of(st.integers(0, 11), st.integers(0, 11), any_outcome)
deciders = st.sampled_from((RIGHT,) * 8 + OFFICERS)
_by_kind: dict[str, st.SearchStrategy[Call]] = {
    "decide": st.tuples(st.just("decide"), outcomes, deciders),
    "late": st.tuples(st.just("decide"), outcomes, deciders, st.just(LATE)),
    "supplement": st.just(("supplement",)),
    "withdraw": st.just(("withdraw",)),
    "apologise": st.just(("apologise",)),
    "rate": st.just(("rate",)),
    "stale": st.tuples(st.just("stale"), any_outcome, st.integers(0, 30)),
}
# Decisions are what moves the dossier: 3 in 4 calls; a withdrawal ends it: 1 in 50. (Hypothesis favours the
# ends of a list and shrinks towards its start: both ends are decisions.)
_KINDS = (
    ("decide",) * 40
    + ("supplement",) * 6
    + ("late",) * 6
    + ("withdraw",) * 2
    + ("apologise", "rate", "stale") * 4
    + ("decide",) * 34
)
calls: st.SearchStrategy[Call] = st.sampled_from(_KINDS).flatmap(lambda kind: _by_kind[kind])


def _body(outcome: str) -> dict[str, Any]:
    """A well-formed request for each outcome, with what the rules ask for (reasons, items, a note)."""
    body: dict[str, Any] = {"outcome": outcome}
    if outcome in {"RETURN", "REJECT", "SUSPEND"}:
        body["reasons"] = ["Thiếu chữ ký của người yêu cầu"]
    if outcome == "SUSPEND":
        body["legal_basis"] = "Khoản 2 Điều 20 Nghị định 118/2025/NĐ-CP"
        body["document"] = "Công văn số 12/UBND-TP"
    if outcome == "RESUME":
        body["note"] = "Đã có văn bản trả lời, tiếp tục giải quyết"
    if outcome == "REQUEST_SUPPLEMENT":
        body["items"] = [{"name": "Giấy chứng sinh (bản chính)", "reason": "Bản đã nộp không đọc được"}]
    if outcome == "TRANSFER":
        body["partner_agency"] = OTHER_AGENCY
        body["note"] = "Đề nghị xác minh nơi cư trú của mẹ"
    if outcome == "REPLY":
        body["note"] = "Đã xác minh, thông tin cư trú đúng"
    return body


def _holder(task: Task) -> str:
    if task.agency_code == OTHER_AGENCY:
        return "partner"
    return {"APPROVER": "approver", "DESK_OFFICER": "desk"}.get(task.role, "processor")


# ----------------------------------------------------------------------------- one example's world
@dataclass
class Snapshot:
    dossier: Dossier
    timeline: list[ProgressRecord]
    tasks: list[Task]
    items: list[dict[str, Any]]

    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.status is TaskStatus.OPEN]

    def without_rating(self) -> Any:
        """Everything but the rating (and the lock version its save bumps)."""
        return (
            self.dossier.model_dump(exclude={"rating", "version"}),
            [r.model_dump() for r in self.timeline],
            [t.model_dump() for t in self.tasks],
            [i for i in self.items if i["sk"]["S"] != "META"],
        )


@dataclass
class Play:
    """One example: a dossier, the identities, and what was done to it."""

    motcua: Motcua
    code: str
    tokens: dict[str, str]
    citizen: str
    ran: str = ""  # where the execution went after the last call, if it was resumed
    outcome: str = ""  # the last decision's outcome
    pending: bool = False  # an accepted decision or supplement whose Advance has not run yet

    def snapshot(self) -> Snapshot:
        loaded = runtime.dossier_store().load(self.code)
        assert loaded is not None, self.code
        dossier, timeline, tasks = loaded
        return Snapshot(dossier, list(timeline), list(tasks), self.motcua.items(self.code))

    def do(self, call: Call, before: Snapshot) -> Reply:
        self.ran, self.outcome = "", ""
        kind, late = call[0], call[-1] == LATE
        if kind == "decide":
            outcome, who = call[1], call[2]
            # no open task (final, or a resume to be applied): the latest task, so that the call is still made
            task = (before.open_tasks() or sorted(before.tasks, key=lambda t: t.created_at))[-1]
            if who == RIGHT and task.role == "APPLICANT" and task.status is TaskStatus.OPEN:
                self.outcome = "SUPPLEMENTED"  # the one the dossier waits on is the applicant
                return self._supplement(late)
            if isinstance(outcome, int):
                steps = runtime.catalogue_store().steps(
                    before.dossier.procedure_code, before.dossier.procedure_version
                )
                allowed = routing.allowed_outcomes(before.dossier.position, steps)
                preferred = [o for o in OUTCOMES if o in allowed] or list(OUTCOMES)
                outcome = preferred[outcome] if outcome < len(preferred) else preferred[0]
            self.outcome = outcome
            token = self.tokens[_holder(task) if who == RIGHT else who]
            return self._resuming("POST", f"/v1/tasks/{task.task_id}/decision", token, _body(outcome), late)
        if kind == "stale":
            _, outcome, index = call
            done = [t.task_id for t in before.tasks if t.status is not TaskStatus.OPEN]
            made_up = [f"{self.code}~step{2 + index % 3}-{index}", f"{self.code}~supplement-{index}"]
            candidates = done + made_up
            self.outcome = outcome
            path = f"/v1/tasks/{candidates[index % len(candidates)]}/decision"
            return self._resuming("POST", path, self.tokens["processor"], _body(outcome), late=False)
        if kind == "supplement":
            return self._supplement(late)
        if kind == "withdraw":
            body = {"reason": "Gia đình đã đăng ký khai sinh ở nơi khác"}
            return self.motcua.call("POST", f"/v1/dossiers/{self.code}/withdrawal", self.citizen, body)
        if kind == "apologise":
            new_due = before.dossier.due_at + timedelta(days=5)
            body = {"reason": "Cần xác minh thêm thông tin", "new_due_at": new_due.isoformat()}
            return self.motcua.call(
                "POST", f"/v1/dossiers/{self.code}/apology", self.tokens["processor"], body
            )
        assert kind == "rate", call
        rating = {"score": 4, "comment": "Cán bộ hướng dẫn tận tình"}
        return self.motcua.call("POST", f"/v1/dossiers/{self.code}/rating", self.citizen, rating)

    def _supplement(self, late: bool) -> Reply:
        body = {"components": [{"code": REQUIRED_COMPONENT, "file_name": "giay-chung-sinh.pdf"}]}
        return self._resuming("POST", f"/v1/dossiers/{self.code}/supplement", self.citizen, body, late)

    def _resuming(self, method: str, path: str, token: str, body: dict[str, Any], late: bool) -> Reply:
        """Make a call that may resume the execution; if it did, play the execution on to its next wait (or,
        if ``late``, leave that for ``catch_up`` after the next call)."""
        resumed = len(self.motcua.workflow.resumed)
        reply = self.motcua.call(method, path, token, body)
        if len(self.motcua.workflow.resumed) > resumed:
            assert reply.status < 300, (reply.status, reply.body)  # a refusal never resumes the execution
            assert len(self.motcua.workflow.resumed) == resumed + 1, "resumed more than once"
            assert not self.pending, "resumed again before the last resume was applied"
            if late:
                self.pending = True
            else:
                self.ran = self.motcua.resume(self.code)
        return reply

    def catch_up(self) -> None:
        """The Advance of a late resume runs now; what follows it only if the execution was not stopped."""
        self.pending = False
        if self.code not in {code for code, _cause in self.motcua.workflow.stopped}:
            self.ran = self.motcua.resume(self.code)
            return
        decision = self.motcua.workflow.resumed[-1][1]
        try:
            self.ran = "stopped; " + self.motcua.step("advance", self.code, decision=decision)["action"]
        except DomainError as error:  # the Lambda already under way may refuse: the execution is gone anyway
            self.ran = f"stopped; Advance refused {error.code}"


# ----------------------------------------------------------------------------- the invariants
def _statuses_follow_the_table(timeline: list[ProgressRecord]) -> None:
    statuses = [r.status for r in sorted(timeline, key=lambda r: r.seq)]
    assert statuses[0] is Status.RECEIVED, statuses
    for before, after in pairwise(statuses):
        assert before is after or after in TRANSITIONS.get(before, frozenset()), (before, after, statuses)
    asked = [b for a, b in pairwise(statuses) if a is not b is Status.SUPPLEMENT_REQUESTED]
    assert len(asked) <= 1, statuses


def _check(call: Call, reply: Reply, before: Snapshot, after: Snapshot, pending: bool) -> None:
    # (a), (b): a known answer; a refusal says why
    assert reply.status < 500, (call, reply.status, reply.body)
    assert reply.status in ANSWERS, (call, reply.status, reply.body)
    if reply.status >= 300:
        error = (reply.body or {}).get("error") or {}
        assert isinstance(error.get("code"), str) and error["code"], (call, reply.body)
        # (c): a refused call changes nothing
        assert after.items == before.items, (call, reply.body)
    # (d), (e): the timeline only takes allowed transitions, with one supplement request at most
    _statuses_follow_the_table(after.timeline)
    assert after.timeline[-1].status is after.dossier.status
    assert len(after.timeline) == after.dossier.progress_count
    assert after.dossier.supplement_requests <= 1
    # (f): one open task at most; while the dossier is not final the execution waits on exactly one
    open_tasks = [t.task_id for t in after.open_tasks()]
    if after.dossier.status in FINAL or pending:
        assert open_tasks == [], (after.dossier.status, open_tasks)
    else:
        assert len(open_tasks) == 1, (after.dossier.status, [(t.task_id, t.status) for t in after.tasks])
    # (g): a final dossier only gets its rating, once
    if before.dossier.status in FINAL:
        assert after.dossier.status is before.dossier.status
        assert after.without_rating() == before.without_rating(), call
        if before.dossier.rating is not None:
            assert after.dossier.rating == before.dossier.rating


def _partner_agencies_loaded() -> None:
    """The partner agency must exist for a TRANSFER to be accepted (the agencies of the seed tree)."""
    from motcua.agencies.service import load_agencies

    store = runtime.agency_store()
    if store.get(OTHER_AGENCY) is None:
        load_agencies(store, json.loads(AGENCIES.read_text(encoding="utf-8")), "H32")


# ----------------------------------------------------------------------------- the test
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=st.lists(calls, max_size=12))
# The main roads, every run (the random plans wander; these make sure each road is driven):
# the result issued, returned and rated, then everything else refused on the closed dossier
@example(
    plan=[
        *[("decide", 0, RIGHT)] * 3,
        ("rate",),
        ("rate",),
        ("withdraw",),
        ("decide", 0, RIGHT),
        ("apologise",),
    ]
)
# the supplement asked, a second request refused, supplied once, then sent back by the approver and finished
@example(
    plan=[
        ("decide", "REQUEST_SUPPLEMENT", RIGHT),
        ("decide", "FORWARD", "processor"),
        ("supplement",),
        ("supplement",),
        ("decide", "REQUEST_SUPPLEMENT", RIGHT),
        ("decide", 0, RIGHT),
        ("decide", "RETURN", RIGHT),
        ("decide", 0, RIGHT),
        ("decide", 0, RIGHT),
        ("decide", 0, RIGHT),
        ("stale", "FORWARD", 1),
    ]
)
# the partner agency: only its officer replies, and only with REPLY; then the applicant withdraws
@example(
    plan=[
        ("decide", "TRANSFER", RIGHT),
        ("decide", "REPLY", "processor"),
        ("decide", "FORWARD", "partner"),
        ("decide", "REPLY", RIGHT),
        ("stale", "REPLY", 0),
        ("decide", "TRANSFER", RIGHT),
        ("withdraw",),
        ("withdraw",),
        ("decide", "REPLY", "partner"),
        ("rate",),
    ]
)
# a withdrawal while the applicant is asked for a supplement, then the supplement comes too late
@example(plan=[("decide", "REQUEST_SUPPLEMENT", RIGHT), ("withdraw",), ("supplement",), ("rate",)])
# the wrong officer, an outcome the step does not allow, then the approver rejects
@example(
    plan=[
        ("decide", "FORWARD", "approver"),
        ("decide", "APPROVE", RIGHT),
        ("decide", "RETURN", RIGHT),
        ("decide", "FORWARD", "desk"),
        ("decide", 0, RIGHT),
        ("decide", "FORWARD", RIGHT),
        ("decide", "REJECT", "approver"),
        ("supplement",),
        ("rate",),
    ]
)
# calls between the accept and Advance: a second decision, a supplement, an apology, a withdrawal
@example(
    plan=[
        ("decide", "REQUEST_SUPPLEMENT", RIGHT, LATE),
        ("supplement",),
        ("decide", 0, RIGHT, LATE),
        ("decide", 0, RIGHT),
        ("decide", 0, RIGHT, LATE),
        ("apologise",),
        ("decide", "APPROVE", RIGHT, LATE),
        ("withdraw",),
        ("rate",),
    ]
)
def test_random_calls_keep_the_lifecycle_invariants(motcua: Motcua, plan: list[Call]) -> None:
    _partner_agencies_loaded()
    code = motcua.submitted()
    assert motcua.start(code) == "OFFICER"
    play = Play(
        motcua,
        code,
        tokens={
            "processor": motcua.officer(),
            "approver": motcua.approver(),
            "desk": motcua.officer(sub="khsso-100231", roles=("DESK_OFFICER",)),
            "partner": motcua.officer(sub="khsso-200501", agency=OTHER_AGENCY),
        },
        citizen=motcua.citizen(),
    )
    before = play.snapshot()
    for call in (*plan, None):
        was_pending = play.pending
        if call is not None:
            reply = play.do(call, before)
            after = play.snapshot()
            error = (reply.body or {}).get("error", {}).get("code") if reply.status >= 300 else ""
            ran = f", execution → {play.ran}" if play.ran else ", resume to come" if play.pending else ""
            what = f"{call} ({play.outcome})" if call[0] == "decide" else str(call)
            note(f"{before.dossier.status}: {what} → {reply.status} {error}{ran} → {after.dossier.status}")
            _check(call, reply, before, after, play.pending)
            if reply.status < 300:
                event(f"accepted: {call[0]} {play.outcome}".strip() + (" (late)" if play.pending else ""))
            before = after
        if was_pending:  # the late Advance, once a call came in between (or the plan ended)
            play.catch_up()
            after = play.snapshot()
            note(f"{before.dossier.status}: late Advance, execution → {play.ran} → {after.dossier.status}")
            _check(("late Advance",), Reply(200, {}, None), before, after, pending=False)
            before = after
    event(f"ended {before.dossier.status}")
    # the applicant always sees their dossier, with the timeline the checks read
    seen = motcua.call("GET", f"/v1/dossiers/{code}", play.citizen)
    assert seen.status == 200, seen.body
    assert seen.body["status"]["status"] == before.dossier.status.value
    assert [e["status"] for e in seen.body["timeline"]] == [r.status.value for r in before.timeline]
