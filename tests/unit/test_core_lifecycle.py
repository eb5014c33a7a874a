"""The dossier state machine (DOMAIN §3.5) as stories over ``motcua.dossiers.lifecycle``.

The expected edges are written out here from DOMAIN §3.5, independently of ``TRANSITIONS``, so that a change
to the table that the spec does not allow makes a test fail.
"""

from __future__ import annotations

import re
from collections import deque

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.dossiers.lifecycle import (
    FINAL,
    NATIONAL_CODE,
    NATIONAL_LABEL_VI,
    TRANSITIONS,
    Status,
    can_transition,
    ensure_transition,
)
from motcua.errors import Conflict

S = Status

# DOMAIN §3.5 "Allowed transitions", one line per bullet.
DOMAIN_EDGES: frozenset[tuple[Status, Status]] = frozenset(
    {
        (S.SUBMITTED, S.RECEIVED),  # 1→2
        (S.SUBMITTED, S.NOT_ACCEPTED),  # 1→3
        (S.SUBMITTED, S.SUPPLEMENT_REQUESTED),  # 1→5 pre-receipt completion (online)
        (S.RECEIVED, S.IN_PROCESS),  # 2→4
        (S.IN_PROCESS, S.SUPPLEMENT_REQUESTED),  # 4→5
        (S.SUPPLEMENT_REQUESTED, S.IN_PROCESS),  # 5→4
        (S.IN_PROCESS, S.AWAITING_PAYMENT),  # 4→6
        (S.AWAITING_PAYMENT, S.IN_PROCESS),  # 6→4
        (S.IN_PROCESS, S.REJECTED),  # 4→8
        (S.IN_PROCESS, S.RESULT_READY),  # 4→9
        (S.RESULT_READY, S.RETURNED),  # 9→10
    }
    # ND 118 Đ21: any non-final state → 7.
    | {(s, S.WITHDRAWN) for s in Status if s not in {S.NOT_ACCEPTED, S.WITHDRAWN, S.REJECTED, S.RETURNED}}
)
# Not a bullet of §3.5 but implied by 1→5: a pre-receipt completion that is complete goes on to receipt (5→2).
PRE_RECEIPT_COMPLETION = (S.SUPPLEMENT_REQUESTED, S.RECEIVED)

ALL_PAIRS = [(a, b) for a in Status for b in Status]
ILLEGAL_PAIRS = [pair for pair in ALL_PAIRS if pair not in DOMAIN_EDGES | {PRE_RECEIPT_COMPLETION}]
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


def _edges() -> set[tuple[Status, Status]]:
    return {(a, b) for a, targets in TRANSITIONS.items() for b in targets}


def _reachable_from(start: Status) -> set[Status]:
    seen, queue = {start}, deque([start])
    while queue:
        for target in TRANSITIONS.get(queue.popleft(), frozenset()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


# ----------------------------------------------------------------------------- the national code map
def test_every_status_has_exactly_one_national_code_from_1_to_10() -> None:
    # Given the internal statuses and the national TrangThaiHoSo vocabulary
    # When they are mapped
    codes = [NATIONAL_CODE[status] for status in Status]
    # Then all ten statuses are mapped, to 1..10, none twice
    assert set(NATIONAL_CODE) == set(Status)
    assert len(Status) == 10
    assert sorted(codes) == list(range(1, 11))


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (S.SUBMITTED, 1),
        (S.RECEIVED, 2),
        (S.NOT_ACCEPTED, 3),
        (S.IN_PROCESS, 4),
        (S.SUPPLEMENT_REQUESTED, 5),
        (S.AWAITING_PAYMENT, 6),
        (S.WITHDRAWN, 7),
        (S.REJECTED, 8),
        (S.RESULT_READY, 9),
        (S.RETURNED, 10),
    ],
)
def test_each_status_maps_to_the_code_of_domain_3_5(status: Status, code: int) -> None:
    assert NATIONAL_CODE[status] == code


def test_every_status_has_a_vietnamese_national_label() -> None:
    assert set(NATIONAL_LABEL_VI) == set(Status)
    assert all(label.strip() for label in NATIONAL_LABEL_VI.values())
    assert len(set(NATIONAL_LABEL_VI.values())) == len(Status)


# ----------------------------------------------------------------------------- the transition table
def test_final_states_are_3_7_8_and_10() -> None:
    assert {NATIONAL_CODE[s] for s in FINAL} == {3, 7, 8, 10}


@pytest.mark.parametrize("final", sorted(FINAL))
def test_a_final_state_has_no_outgoing_transition(final: Status) -> None:
    # Given a dossier in a final state
    # Then the table lists nothing after it, and no target at all is accepted
    assert not TRANSITIONS.get(final, frozenset())
    assert not [target for target in Status if can_transition(final, target)]


@pytest.mark.parametrize("status", sorted(set(Status) - FINAL))
def test_the_applicant_may_withdraw_from_every_non_final_state(status: Status) -> None:
    # ND 118 Đ21: the applicant's stop request is possible until the dossier is closed.
    assert can_transition(status, S.WITHDRAWN)
    ensure_transition(status, S.WITHDRAWN)  # does not raise


def test_the_table_is_exactly_the_edges_of_domain_3_5() -> None:
    # Given the edges DOMAIN §3.5 allows (plus the completion of a pre-receipt supplement, 5→2)
    # When the table is read
    # Then it allows all of them and nothing else
    assert _edges() == set(DOMAIN_EDGES | {PRE_RECEIPT_COMPLETION})


def test_every_status_is_reachable_from_submitted() -> None:
    assert _reachable_from(S.SUBMITTED) == set(Status)


def test_a_status_never_transitions_to_itself() -> None:
    assert not [s for s in Status if can_transition(s, s)]


# ----------------------------------------------------------------------------- ensure_transition
@pytest.mark.parametrize(("current", "target"), sorted(DOMAIN_EDGES))
def test_ensure_transition_accepts_every_allowed_edge(current: Status, target: Status) -> None:
    ensure_transition(current, target)  # does not raise


@pytest.mark.parametrize(("current", "target"), ILLEGAL_PAIRS)
def test_ensure_transition_refuses_an_illegal_pair_with_a_409_conflict(
    current: Status, target: Status
) -> None:
    # Given a pair the state machine does not allow
    # When a service asks to apply it
    with pytest.raises(Conflict) as raised:
        ensure_transition(current, target)
    # Then the caller gets a stable code, the two statuses, and a Vietnamese message naming both
    error = raised.value
    assert error.kind == "conflict"
    assert error.code == "ILLEGAL_TRANSITION"
    assert error.details == {"current": current.value, "target": target.value}
    assert NATIONAL_LABEL_VI[current] in error.message_vi
    assert NATIONAL_LABEL_VI[target] in error.message_vi
    assert error.message_vi.startswith("Không thể chuyển hồ sơ")
    assert VIETNAMESE_LETTERS.search(error.message_vi)


def test_a_refused_transition_does_not_change_the_class_wide_error_code() -> None:
    # Given an illegal transition was refused with its own code
    with pytest.raises(Conflict):
        ensure_transition(S.RETURNED, S.IN_PROCESS)
    # Then a plain Conflict still carries the generic code
    assert Conflict().code == "CONFLICT"


# ----------------------------------------------------------------------------- random walks
@given(st.lists(st.sampled_from(list(Status)), max_size=40))
def test_a_random_walk_from_submitted_only_visits_reachable_states_and_stops_at_a_final_one(
    targets: list[Status],
) -> None:
    # Given a dossier just submitted online
    current = S.SUBMITTED
    reachable = _reachable_from(S.SUBMITTED)
    visited = [current]
    closed_at: int | None = None
    # When any sequence of target statuses is requested, refused ones skipped
    for step, target in enumerate(targets):
        try:
            ensure_transition(current, target)
        except Conflict as error:
            assert error.code == "ILLEGAL_TRANSITION"
            # a refusal is exactly a pair the spec does not allow
            assert (current, target) not in DOMAIN_EDGES | {PRE_RECEIPT_COMPLETION}
            continue
        # Then every accepted step is an edge of the spec, from a state that was not final
        assert (current, target) in DOMAIN_EDGES | {PRE_RECEIPT_COMPLETION}
        assert closed_at is None, f"{target} accepted after the dossier closed at step {closed_at}"
        current = target
        visited.append(current)
        if current in FINAL:
            closed_at = step
    # And every visited state is reachable through the table
    assert set(visited) <= reachable
    # And once final, the dossier stayed where it was
    if closed_at is not None:
        assert visited[-1] in FINAL
        assert [s for s in visited if s in FINAL] == [visited[-1]]
