"""Routing over a procedure's internal steps (``motcua.dossiers.routing``, DOMAIN §3.6): examples and properties.

The properties play random walks over random step lists with a small simulator of what the services do with
each ``Move`` (the status changes routing leaves to them), so every position they look at is one a dossier can
really reach.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.catalogue.model import InternalStep, TimeUnit
from motcua.dossiers import routing
from motcua.dossiers.lifecycle import FINAL, TRANSITIONS, Status
from motcua.dossiers.routing import (
    APPROVER,
    FALLBACK_STEPS,
    Action,
    Move,
    Outcome,
    Position,
    Waiting,
    after_issue,
    allowed_outcomes,
    apply,
    ensure_allowed,
    first_step,
    next_action,
    processing_steps,
    step_by_seq,
    wait_key,
    waiting_for,
)
from motcua.errors import Conflict

DESK, PROCESSOR = "DESK_OFFICER", "PROCESSOR"
ROLES = (DESK, PROCESSOR, APPROVER)
PROPS = settings(max_examples=200, deadline=None)


def _step(seq: int, role: str, name: str = "") -> InternalStep:
    return InternalStep(
        seq=seq,
        name=name or f"Bước {seq}",
        role=role,
        unit="",
        duration_value=1,
        duration_unit=TimeUnit.WORKING_DAY,
    )


# The demo procedure (1.001193, khai sinh): reception at the desk, the specialist, the leader, the desk returns.
DEMO = (
    _step(1, DESK, "Tiếp nhận hồ sơ"),
    _step(2, PROCESSOR, "Thẩm định, xử lý hồ sơ"),
    _step(3, APPROVER, "Phê duyệt kết quả"),
    _step(4, DESK, "Trả kết quả"),
)


def _at(
    seq: int,
    visit: int = 1,
    status: Status = Status.IN_PROCESS,
    transfer: bool = False,
    suspended: bool = False,
) -> Position:
    return Position(status, seq, visit, transfer_pending=transfer, suspended=suspended)


# ----------------------------------------------------------------------------- a simulator of the services
def _start(steps: Sequence[InternalStep]) -> Position:
    """What Register does: in process at the first processing step, first arrival."""
    return Position(Status.IN_PROCESS, first_step(steps), 1)


def _play(position: Position, steps: Sequence[InternalStep], outcome: Outcome) -> Position:
    """The position after a decision is applied and the execution has run on to its next wait (or its end),
    as ``processing.advance``, ``issue_result``, ``deliver_result`` and ``close_rejected`` leave it."""
    move = apply(position, steps, outcome)
    status = position.status
    if outcome is Outcome.SUPPLEMENTED:
        status = Status.IN_PROCESS
    transfer = position.transfer_pending and outcome is not Outcome.REPLY
    suspended = outcome is Outcome.SUSPEND or (position.suspended and outcome is not Outcome.RESUME)
    action, seq, visit = move.action, move.step_seq, move.visit
    if action is Action.SUPPLEMENT:
        return Position(Status.SUPPLEMENT_REQUESTED, seq, visit)
    if action is Action.PARTNER:
        return Position(status, seq, visit, transfer_pending=True)
    if action is Action.REJECT:
        return Position(Status.REJECTED, seq, visit)
    if action is Action.ISSUE:
        issued = after_issue(steps, seq, visit)
        status, action, seq, visit = Status.RESULT_READY, issued.action, issued.step_seq, issued.visit
    if action is Action.DELIVER:
        return Position(Status.RETURNED, seq, visit)
    assert action is Action.OFFICER, move
    return Position(status, seq, visit, transfer_pending=transfer, suspended=suspended)


@st.composite
def step_lists(draw: st.DrawFn, min_size: int = 1) -> tuple[InternalStep, ...]:
    """1–6 steps with random roles, numbered by increasing (not always consecutive) seqs, in random order."""
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=min_size, max_size=6))
    seqs = sorted(draw(st.sets(st.integers(1, 20), min_size=len(roles), max_size=len(roles))))
    steps = [_step(seq, role) for seq, role in zip(seqs, roles, strict=True)]
    return tuple(draw(st.permutations(steps)))


@st.composite
def walks(
    draw: st.DrawFn, max_moves: int = 25
) -> tuple[tuple[InternalStep, ...], list[tuple[Position, Outcome, Position]]]:
    """A random step list and a random walk over it: (position, outcome, next position) per decision, each
    outcome drawn from what its position allows, until a final status or ``max_moves``."""
    steps = draw(step_lists())
    position, walked = _start(steps), []
    for _ in range(draw(st.integers(0, max_moves))):
        allowed = allowed_outcomes(position, steps)
        if not allowed:
            break
        outcome = draw(st.sampled_from(sorted(allowed)))
        following = _play(position, steps, outcome)
        walked.append((position, outcome, following))
        position = following
    return steps, walked


def _seqs(steps: Sequence[InternalStep]) -> list[int]:
    return [s.seq for s in processing_steps(steps)]


# ----------------------------------------------------------------------------- examples: the demo procedure
def test_processing_starts_after_the_reception_at_the_specialists_step() -> None:
    assert [s.seq for s in processing_steps(DEMO)] == [2, 3, 4]
    assert first_step(DEMO) == 2
    assert step_by_seq(DEMO, 1) is None  # reception is done by receiving the dossier
    specialist = step_by_seq(DEMO, 2)
    assert specialist is not None and specialist.role == PROCESSOR


def test_the_specialist_forwards_but_never_approves_nor_returns_from_the_first_step() -> None:
    assert allowed_outcomes(_at(2), DEMO) == {
        Outcome.FORWARD,
        Outcome.REQUEST_SUPPLEMENT,
        Outcome.REJECT,
        Outcome.TRANSFER,
        Outcome.SUSPEND,
    }
    assert apply(_at(2), DEMO, Outcome.FORWARD) == Move(Action.OFFICER, 3, 2)


def test_the_approver_approves_or_returns_but_never_just_passes_on() -> None:
    assert allowed_outcomes(_at(3, 2), DEMO) == {
        Outcome.APPROVE,
        Outcome.RETURN,
        Outcome.REQUEST_SUPPLEMENT,
        Outcome.REJECT,
        Outcome.TRANSFER,
        Outcome.SUSPEND,
    }
    assert apply(_at(3, 2), DEMO, Outcome.APPROVE) == Move(Action.ISSUE, 3, 2)
    assert apply(_at(3, 2), DEMO, Outcome.RETURN) == Move(Action.OFFICER, 2, 3)


def test_after_the_approval_the_desk_returns_the_result_then_it_is_delivered() -> None:
    assert after_issue(DEMO, 3, 2) == Move(Action.OFFICER, 4, 3)
    returning = _at(4, 3, Status.RESULT_READY)
    assert next_action(returning) is Action.OFFICER
    assert wait_key(returning) == "step4-3"
    assert allowed_outcomes(returning, DEMO) == {Outcome.FORWARD}
    assert apply(returning, DEMO, Outcome.FORWARD) == Move(Action.DELIVER, 0, 3)
    assert next_action(Position(Status.RESULT_READY, 0, 3)) is Action.DELIVER


def test_a_returned_step_opens_a_new_task() -> None:
    # step2-1 → FORWARD → step3-2 → RETURN → step2-3: the step worked on twice has two task keys
    keys = [wait_key(_at(2, 1))]
    position = _play(_at(2, 1), DEMO, Outcome.FORWARD)
    keys.append(wait_key(position))
    position = _play(position, DEMO, Outcome.RETURN)
    keys.append(wait_key(position))
    assert keys == ["step2-1", "step3-2", "step2-3"]


def test_a_supplement_and_a_transfer_wait_elsewhere_and_come_back_to_the_step_that_asked() -> None:
    asked = _play(_at(2, 1), DEMO, Outcome.REQUEST_SUPPLEMENT)
    assert asked == Position(Status.SUPPLEMENT_REQUESTED, 2, 2)
    assert waiting_for(asked) is Waiting.SUPPLEMENT
    assert wait_key(asked) == "supplement-2"
    assert allowed_outcomes(asked, DEMO) == {Outcome.SUPPLEMENTED}
    supplemented = _play(asked, DEMO, Outcome.SUPPLEMENTED)
    assert (supplemented.status, wait_key(supplemented)) == (Status.IN_PROCESS, "step2-3")

    transferred = _play(supplemented, DEMO, Outcome.TRANSFER)
    assert waiting_for(transferred) is Waiting.PARTNER
    assert next_action(transferred) is Action.PARTNER
    assert wait_key(transferred) == "partner-4"
    assert allowed_outcomes(transferred, DEMO) == {Outcome.REPLY}
    replied = _play(transferred, DEMO, Outcome.REPLY)
    assert wait_key(replied) == "step2-5"
    assert not replied.transfer_pending


def test_a_suspension_holds_the_dossier_at_its_step_until_it_resumes_or_is_rejected() -> None:
    suspended = _play(_at(3, 2), DEMO, Outcome.SUSPEND)
    assert suspended == _at(3, 3, suspended=True)  # a new task at the same step: the one on hold
    assert wait_key(suspended) == "step3-3"
    assert allowed_outcomes(suspended, DEMO) == {Outcome.RESUME, Outcome.REJECT}
    assert apply(suspended, DEMO, Outcome.REJECT) == Move(Action.REJECT, 3, 3)
    resumed = _play(suspended, DEMO, Outcome.RESUME)
    assert resumed == _at(3, 4)
    assert Outcome.RESUME not in allowed_outcomes(resumed, DEMO)  # nothing to resume any more
    # a result being returned is never put on hold
    assert allowed_outcomes(_at(4, 5, Status.RESULT_READY), DEMO) == {Outcome.FORWARD}


def test_a_rejection_ends_the_routing_where_it_was_decided() -> None:
    assert apply(_at(3, 4), DEMO, Outcome.REJECT) == Move(Action.REJECT, 3, 4)


@pytest.mark.parametrize("status", sorted(FINAL | {Status.RECEIVED, Status.SUBMITTED}))
def test_a_dossier_that_waits_nowhere_admits_no_decision_and_has_no_task_key(status: Status) -> None:
    position = Position(status, 2, 3)
    assert waiting_for(position) is None
    assert allowed_outcomes(position, DEMO) == frozenset()
    assert next_action(position) is Action.DONE
    with pytest.raises(Conflict) as raised:
        wait_key(position)
    assert raised.value.code == "NOT_WAITING"


def test_a_procedure_without_steps_gets_one_review_by_the_approver() -> None:
    assert processing_steps(()) == FALLBACK_STEPS
    assert FALLBACK_STEPS[0].role == APPROVER
    start = _start(())
    assert allowed_outcomes(start, ()) == {
        Outcome.APPROVE,
        Outcome.REQUEST_SUPPLEMENT,
        Outcome.REJECT,
        Outcome.TRANSFER,
        Outcome.SUSPEND,
    }
    assert _play(start, (), Outcome.APPROVE) == Position(Status.RETURNED, 0, 1)


def test_a_lone_reception_step_is_kept_as_the_processing_step() -> None:
    only_desk = (_step(1, DESK),)
    assert processing_steps(only_desk) == only_desk
    assert allowed_outcomes(_start(only_desk), only_desk) == {
        Outcome.FORWARD,
        Outcome.REQUEST_SUPPLEMENT,
        Outcome.REJECT,
        Outcome.TRANSFER,
        Outcome.SUSPEND,
    }
    # no approver step: FORWARD off the last step issues, and with no step after it the result is delivered
    assert apply(_start(only_desk), only_desk, Outcome.FORWARD) == Move(Action.ISSUE, 0, 1)
    assert after_issue(only_desk, 0, 1) == Move(Action.DELIVER, 0, 1)


def test_a_refused_decision_names_the_outcome_and_what_is_allowed() -> None:
    with pytest.raises(Conflict) as raised:
        ensure_allowed(_at(2), DEMO, Outcome.APPROVE)
    assert raised.value.code == "DECISION_NOT_ALLOWED"
    assert raised.value.details == {
        "outcome": "APPROVE",
        "allowed": ["FORWARD", "REJECT", "REQUEST_SUPPLEMENT", "SUSPEND", "TRANSFER"],
    }


# ----------------------------------------------------------------------------- properties: processing_steps
@PROPS
@given(step_lists(min_size=0))
def test_processing_steps_are_the_sorted_steps_without_a_leading_reception(
    steps: tuple[InternalStep, ...],
) -> None:
    ordered = sorted(steps, key=lambda s: s.seq)
    kept = processing_steps(steps)
    if not ordered:
        assert kept == FALLBACK_STEPS
    elif len(ordered) > 1 and ordered[0].role == DESK:
        assert list(kept) == ordered[1:]  # only the first one: a second desk step is a real step
    else:
        assert list(kept) == ordered
    assert [s.seq for s in kept] == sorted(s.seq for s in kept)
    assert first_step(steps) == kept[0].seq
    assert all(step_by_seq(steps, s.seq) == s for s in kept)


# ----------------------------------------------------------------------------- properties: moves
@PROPS
@given(walks())
def test_every_allowed_decision_makes_a_consistent_move(
    walk: tuple[tuple[InternalStep, ...], list[tuple[Position, Outcome, Position]]],
) -> None:
    steps, walked = walk
    seqs = _seqs(steps)
    for position, outcome, _following in walked:
        here, visit = position.step_seq, position.visit
        step = step_by_seq(steps, here)
        move = apply(position, steps, outcome)
        assert next_action(position) in {Action.OFFICER, Action.SUPPLEMENT, Action.PARTNER}
        if move.action is Action.OFFICER:
            assert move.step_seq in seqs  # officers only ever move between processing steps
            assert move.visit == visit + 1
        if position.status is Status.RESULT_READY:
            assert outcome is Outcome.FORWARD  # a result being returned only goes onwards
        if position.suspended:
            assert outcome in {Outcome.RESUME, Outcome.REJECT}  # a dossier on hold resumes or stops
        if outcome is Outcome.FORWARD:
            later = [s for s in seqs if s > here]
            if later:
                assert move == Move(Action.OFFICER, later[0], visit + 1)
            else:  # the last step: issue what is not yet issued, deliver what is
                expected = Action.DELIVER if position.status is Status.RESULT_READY else Action.ISSUE
                assert move == Move(expected, 0, visit)
        elif outcome is Outcome.APPROVE:
            assert step is not None and step.role == APPROVER
            assert position.status is Status.IN_PROCESS
            assert move == Move(Action.ISSUE, here, visit)
        elif outcome is Outcome.RETURN:
            assert here != seqs[0]  # never before the first processing step
            assert move == Move(Action.OFFICER, max(s for s in seqs if s < here), visit + 1)
        elif outcome is Outcome.REQUEST_SUPPLEMENT:
            assert move == Move(Action.SUPPLEMENT, here, visit + 1)
        elif outcome is Outcome.TRANSFER:
            assert move == Move(Action.PARTNER, here, visit + 1)
        elif outcome is Outcome.SUSPEND:
            assert position.status is Status.IN_PROCESS and not position.suspended
            assert move == Move(Action.OFFICER, here, visit + 1)  # on hold at the same step, a new task
        elif outcome is Outcome.RESUME:
            assert position.suspended
            assert move == Move(Action.OFFICER, here, visit + 1)
        elif outcome in {Outcome.SUPPLEMENTED, Outcome.REPLY}:
            assert move == Move(Action.OFFICER, here, visit + 1)
        else:
            assert outcome is Outcome.REJECT
            assert move == Move(Action.REJECT, here, visit)


@PROPS
@given(walks())
def test_the_statuses_of_a_walk_follow_the_transition_table(
    walk: tuple[tuple[InternalStep, ...], list[tuple[Position, Outcome, Position]]],
) -> None:
    _steps, walked = walk
    for position, _outcome, following in walked:
        before, after = position.status, following.status
        # IssueResult then DeliverResult may run back to back: 4 → 9 → 10
        assert (
            before == after
            or after in TRANSITIONS[before]
            or (before, after) == (Status.IN_PROCESS, Status.RETURNED)
        )


@PROPS
@given(walks(max_moves=40))
def test_visits_only_grow_so_a_task_key_never_repeats_along_a_walk(
    walk: tuple[tuple[InternalStep, ...], list[tuple[Position, Outcome, Position]]],
) -> None:
    steps, walked = walk
    arrivals = [_start(steps)] + [following for _p, _o, following in walked if waiting_for(following)]
    visits = [p.visit for p in arrivals]
    assert visits == sorted(set(visits)), visits  # strictly increasing on each arrival
    keys = [wait_key(p) for p in arrivals]
    assert len(keys) == len(set(keys)), keys


@PROPS
@given(walks(), st.data())
def test_anything_not_allowed_is_refused_as_decision_not_allowed(
    walk: tuple[tuple[InternalStep, ...], list[tuple[Position, Outcome, Position]]], data: st.DataObject
) -> None:
    steps, walked = walk
    positions = [_start(steps)] + [following for _p, _o, following in walked]
    position = data.draw(st.sampled_from(positions))
    # and the positions a dossier passes through without waiting (received, issued, final)
    position = data.draw(
        st.sampled_from(
            [
                position,
                replace(position, status=data.draw(st.sampled_from(sorted(Status)))),
                replace(position, step_seq=0),
                replace(position, suspended=not position.suspended),
            ]
        )
    )
    allowed = allowed_outcomes(position, steps)
    for outcome in Outcome:
        if outcome in allowed:
            ensure_allowed(position, steps, outcome)
            apply(position, steps, outcome)
            continue
        for refuse in (ensure_allowed, apply):
            with pytest.raises(Conflict) as raised:
                refuse(position, steps, outcome)
            assert raised.value.code == "DECISION_NOT_ALLOWED"
            assert raised.value.details["outcome"] == outcome.value
            assert raised.value.details["allowed"] == sorted(o.value for o in allowed)


@PROPS
@given(step_lists(min_size=0), st.data())
def test_forwarding_and_approving_always_deliver_within_a_bounded_number_of_moves(
    steps: tuple[InternalStep, ...], data: st.DataObject
) -> None:
    # Each move is FORWARD or APPROVE, whichever the step admits (one of them always is, never both).
    position, moves = _start(steps), 0
    bound = len(processing_steps(steps)) + 1
    while position.status not in FINAL:
        allowed = allowed_outcomes(position, steps) & {Outcome.FORWARD, Outcome.APPROVE}
        assert len(allowed) == 1, (position, allowed)
        position = _play(position, steps, data.draw(st.sampled_from(sorted(allowed))))
        moves += 1
        assert moves <= bound, (steps, position)
    assert position.status is Status.RETURNED
    assert next_action(position) is Action.DONE


@PROPS
@given(step_lists(), st.integers(1, 50))
def test_after_issue_hands_the_result_to_the_steps_after_the_approving_one(
    steps: tuple[InternalStep, ...], visit: int
) -> None:
    seqs = _seqs(steps)
    for approved_at in [0, *seqs]:
        move = after_issue(steps, approved_at, visit)
        later = [s for s in seqs if s > approved_at] if approved_at else []
        if later:
            assert move == Move(Action.OFFICER, later[0], visit + 1)
        else:
            assert move == Move(Action.DELIVER, 0, visit)


@PROPS
@given(
    st.sampled_from(sorted(Status)),
    st.integers(0, 20),
    st.integers(0, 50),
    st.booleans(),
    st.booleans(),
)
def test_wait_keys_name_what_is_waited_for(
    status: Status, seq: int, visit: int, transfer: bool, suspended: bool
) -> None:
    position = Position(status, seq, visit, transfer_pending=transfer, suspended=suspended)
    kind = waiting_for(position)
    if kind is None:
        assert next_action(position) in {Action.DONE, Action.DELIVER}
        with pytest.raises(Conflict):
            wait_key(position)
        return
    key = wait_key(position)
    if kind is Waiting.OFFICER:
        assert key == f"step{seq}-{visit}"
        assert seq > 0
    else:
        assert key == f"{kind.value}-{visit}"
    assert routing.next_action(position).value == kind.name
