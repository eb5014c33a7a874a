"""The dossiers table: the only module that knows how a dossier is laid out in DynamoDB.

Items of one dossier share pk=D#{code} (docs/data-model.md):
- sk=META        the dossier; optimistic lock on ``version``; gsi1 OWNER#{owner} (my dossiers);
                 gsi2 OPEN/{due} while not final (deadline watch)
- sk=P#{nnnn}    progress records, written in the same transaction as the status change
- sk=T#{step}    officer task holding the callback token; gsi1 INBOX#{agency} while open (sparse)
and one counter item per agency and day: pk=SEQ#{agency}#{yyMMdd}, sk=SEQ.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action as UpdateAction
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from motcua.dossiers.lifecycle import FINAL, Status
from motcua.dossiers.model import Dossier, ProgressRecord, Task, TaskAlert, TaskStatus, owner_by_id
from motcua.dynamo import bind
from motcua.errors import Conflict
from motcua.paging import decode_cursor, encode_cursor, refused_cursor_is_invalid
from motcua.settings import Settings

META = "META"


class _Gsi1(GlobalSecondaryIndex["DossierItem"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class _Gsi2(GlobalSecondaryIndex["DossierItem"]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class DossierItem(Model):
    """Every item of the table (single-table design); ``body`` holds the domain object as JSON."""

    class Meta:
        table_name: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    body = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    last = NumberAttribute(null=True)  # sequence counters only
    assignee = UnicodeAttribute(null=True)  # tasks only: the officer who claimed it
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi1 = _Gsi1()
    gsi2 = _Gsi2()


def _pk(code: str) -> str:
    return f"D#{code}"


def _progress_sk(seq: int) -> str:
    return f"P#{seq:04d}"


def _meta_item(dossier: Dossier) -> DossierItem:
    # Defaults are left out (they come back on reading): a typical dossier fits in one 1 KB write unit
    # instead of two, and every transition writes this item (make bench lifecycle).
    body = dossier.model_dump_json(exclude={"version"}, exclude_defaults=True)
    is_open = dossier.status not in FINAL
    return DossierItem(
        _pk(dossier.code),
        META,
        body=body,
        status=dossier.status.value,
        version=dossier.version,
        gsi1pk=f"OWNER#{owner_key(dossier)}",
        gsi1sk=f"{dossier.received_at.isoformat()}#{dossier.code}",
        gsi2pk="OPEN" if is_open else None,
        gsi2sk=dossier.due_at.isoformat() if is_open else None,
    )


def owner_key(dossier: Dossier) -> str:
    """Whose "my dossiers" list the dossier is in: the applicant's ID number when known (so a dossier received
    at the desk shows up for the citizen whose verified account carries it), else the owning account."""
    return owner_by_id(dossier.applicant.id_number) if dossier.applicant.id_number else dossier.owner


def _progress_item(code: str, record: ProgressRecord) -> DossierItem:
    return DossierItem(_pk(code), _progress_sk(record.seq), body=record.model_dump_json())


def _dossier_from(item: DossierItem) -> Dossier:
    data = json.loads(item.body or "{}")
    data["version"] = int(item.version or 0)
    return Dossier.model_validate(data)


def _is_conflict(error: TransactWriteError) -> bool:
    reasons = error.cancellation_reasons or []
    return any(r is not None and r.code in {"ConditionalCheckFailed", "TransactionConflict"} for r in reasons)


class DossierStore:
    def __init__(self, settings: Settings) -> None:
        bind(DossierItem, settings.dossiers_table, settings)
        # Last sequence seen per agency and day in this container: a warm intake needs no read before
        # its transaction (ARCHITECTURE §7: intake = one transaction + one StartExecution).
        self._last_sequence: dict[str, int] = {}

    def _connection(self) -> Connection:
        return DossierItem._get_connection().connection

    # ------------------------------------------------------------------ intake
    def create(
        self, scope: str, build: Callable[[int], tuple[Dossier, ProgressRecord]], max_attempts: int = 100
    ) -> Dossier:
        """Draw the next code of ``scope`` and write the dossier and its first progress record atomically.

        The counter update is conditioned on the value we believe is current, inside the same transaction
        as the dossier: codes are consecutive, never duplicated, and a failed write consumes no number.
        """
        for attempt in range(max_attempts):
            expected = self._last_sequence.get(scope)
            if expected is None:
                expected = self._read_sequence(scope)
            dossier, first = build(expected + 1)
            counter = DossierItem(f"SEQ#{scope}", "SEQ")
            condition = DossierItem.last.does_not_exist() if expected == 0 else DossierItem.last == expected
            try:
                with TransactWrite(connection=self._connection()) as tx:
                    tx.update(counter, actions=[DossierItem.last.set(expected + 1)], condition=condition)
                    tx.save(_meta_item(dossier), condition=DossierItem.pk.does_not_exist())
                    tx.save(_progress_item(dossier.code, first), condition=DossierItem.pk.does_not_exist())
            except TransactWriteError as error:
                if not _is_conflict(error):
                    raise
                self._last_sequence.pop(scope, None)
                time.sleep(random.uniform(0, min(0.25, 0.01 * (attempt + 1))))  # jittered backoff
                continue
            self._last_sequence[scope] = expected + 1
            return dossier
        raise Conflict("Hệ thống đang bận, vui lòng thử lại.", code="SEQUENCE_CONTENDED")

    def _read_sequence(self, scope: str) -> int:
        try:
            item = DossierItem.get(f"SEQ#{scope}", "SEQ", consistent_read=True)
        except DossierItem.DoesNotExist:
            return 0
        return int(item.last or 0)

    # ------------------------------------------------------------------ reads
    def get(self, code: str) -> Dossier | None:
        try:
            return _dossier_from(DossierItem.get(_pk(code), META, consistent_read=True))
        except DossierItem.DoesNotExist:
            return None

    def load(self, code: str) -> tuple[Dossier, list[ProgressRecord], list[Task]] | None:
        """The whole aggregate in one Query on its partition: the dossier, its timeline and its tasks."""
        dossier: Dossier | None = None
        timeline: list[ProgressRecord] = []
        tasks: list[Task] = []
        for item in DossierItem.query(_pk(code), consistent_read=True):
            if item.sk == META:
                dossier = _dossier_from(item)
            elif item.sk.startswith("P#"):
                timeline.append(ProgressRecord.model_validate_json(item.body or "{}"))
            elif item.sk.startswith("T#"):
                tasks.append(Task.model_validate_json(item.body or "{}"))
        return (dossier, timeline, tasks) if dossier is not None else None

    def timeline(self, code: str) -> list[ProgressRecord]:
        items = DossierItem.query(_pk(code), DossierItem.sk.startswith("P#"), consistent_read=True)
        return [ProgressRecord.model_validate_json(item.body or "{}") for item in items]

    def owned_by(self, owner: str, limit: int, cursor: str | None) -> tuple[list[Dossier], str | None]:
        """A citizen's dossiers, newest first (gsi1 OWNER#{owner})."""
        start = decode_cursor(cursor)
        with refused_cursor_is_invalid():
            result = DossierItem.gsi1.query(
                f"OWNER#{owner}",
                scan_index_forward=False,
                limit=limit,
                page_size=limit,
                last_evaluated_key=start,
            )
            dossiers = [_dossier_from(item) for item in result]
        return dossiers, encode_cursor(result.last_evaluated_key)

    def overdue(self, before_iso: str, limit: int = 500) -> list[Dossier]:
        items = DossierItem.gsi2.query("OPEN", DossierItem.gsi2sk < before_iso, limit=limit)
        return [_dossier_from(item) for item in items]

    # ------------------------------------------------------------------ changes
    def save_transition(self, before: Dossier, after: Dossier, record: ProgressRecord | None) -> Dossier:
        """Write a status change and its progress record together, if nobody changed the dossier meanwhile."""
        after = after.model_copy(update={"version": before.version + 1})
        try:
            with TransactWrite(connection=self._connection()) as tx:
                meta = _meta_item(after)
                # Attributes absent from the new image (a closed dossier leaves the OPEN index) are removed
                # because save() replaces the whole item.
                tx.save(meta, condition=DossierItem.version == before.version)
                if record is not None:
                    tx.save(_progress_item(after.code, record), condition=DossierItem.pk.does_not_exist())
        except TransactWriteError as error:
            if _is_conflict(error):
                raise Conflict("Hồ sơ vừa được người khác cập nhật.", code="CONCURRENT_UPDATE") from error
            raise
        return after

    # ------------------------------------------------------------------ tasks
    def open_task(self, task: Task) -> None:
        """Open (or, when the step runs again with a fresh token, refresh) a task. Officers' tasks are in
        their agency's inbox (gsi1 INBOX#{agency}); the applicant's supplement task is not."""
        in_inbox = task.in_inbox
        item = DossierItem(
            _pk(task.dossier_code),
            f"T#{task.step}",
            body=task.model_dump_json(),
            status=task.status.value,
            gsi1pk=f"INBOX#{task.agency_code}" if in_inbox else None,
            gsi1sk=f"{task.created_at.isoformat()}#{task.task_id}" if in_inbox else None,
        )
        try:
            item.save(
                condition=DossierItem.pk.does_not_exist() | (DossierItem.status == TaskStatus.OPEN.value)
            )
        except PutError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return  # already decided: a replayed step must not reopen it
            raise

    def claim_task(self, task: Task, officer: str) -> Task:
        """Claim an open task for ``officer``; claiming it again is harmless, someone else's claim is a 409."""
        claimed = task.model_copy(update={"assignee": officer})
        item = DossierItem(_pk(task.dossier_code), f"T#{task.step}")
        try:
            item.update(
                actions=[DossierItem.body.set(claimed.model_dump_json()), DossierItem.assignee.set(officer)],
                condition=(DossierItem.status == TaskStatus.OPEN.value)
                & (DossierItem.assignee.does_not_exist() | (DossierItem.assignee == officer)),
            )
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise Conflict(
                    "Nhiệm vụ đã được xử lý hoặc đã được cán bộ khác nhận.", code="TASK_CLAIMED"
                ) from error
            raise
        return claimed

    def get_task(self, dossier_code: str, step: str) -> Task | None:
        try:
            item = DossierItem.get(_pk(dossier_code), f"T#{step}", consistent_read=True)
        except DossierItem.DoesNotExist:
            return None
        return Task.model_validate_json(item.body or "{}")

    def inbox(self, agency_code: str, limit: int, cursor: str | None) -> tuple[list[Task], str | None]:
        start = decode_cursor(cursor)
        with refused_cursor_is_invalid():
            result = DossierItem.gsi1.query(
                f"INBOX#{agency_code}", limit=limit, page_size=limit, last_evaluated_key=start
            )
            tasks = [Task.model_validate_json(item.body or "{}") for item in result]
        return tasks, encode_cursor(result.last_evaluated_key)

    def decide_task(self, decided: Task) -> None:
        """Record a decision; exactly one of two officers deciding at once succeeds (the other gets 409)."""
        if not self._update_if_open(
            decided,
            [
                DossierItem.body.set(decided.model_dump_json()),
                DossierItem.status.set(decided.status.value),
                DossierItem.gsi1pk.remove(),
                DossierItem.gsi1sk.remove(),
            ],
        ):
            raise Conflict("Nhiệm vụ này đã được xử lý.", code="TASK_ALREADY_DECIDED")

    def alert_open_tasks(self, dossier_code: str, alert: TaskAlert) -> list[Task]:
        """Put the deadline watch's alert on the dossier's open tasks (their assignees see it in the inbox);
        the tasks alerted. A task decided meanwhile is left alone."""
        alerted = []
        for task in self._open_tasks(dossier_code):
            with_alert = task.model_copy(update={"alert": alert})
            if self._update_if_open(with_alert, [DossierItem.body.set(with_alert.model_dump_json())]):
                alerted.append(with_alert)
        return alerted

    def close_tasks(self, dossier_code: str) -> int:
        """Close the dossier's open tasks (they leave the inbox); the number closed."""
        closed = 0
        for task in self._open_tasks(dossier_code):
            try:
                self.decide_task(task.model_copy(update={"status": TaskStatus.CLOSED}))
                closed += 1
            except Conflict:
                continue  # decided meanwhile
        return closed

    def _open_tasks(self, dossier_code: str) -> Iterator[Task]:
        for item in DossierItem.query(
            _pk(dossier_code), DossierItem.sk.startswith("T#"), consistent_read=True
        ):
            task = Task.model_validate_json(item.body or "{}")
            if task.status is TaskStatus.OPEN:
                yield task

    def _update_if_open(self, task: Task, actions: list[UpdateAction]) -> bool:
        """Apply ``actions`` to the task's item if it is still open; False when it no longer is."""
        try:
            DossierItem(_pk(task.dossier_code), f"T#{task.step}").update(
                actions=actions, condition=DossierItem.status == TaskStatus.OPEN.value
            )
        except UpdateError as error:
            if getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def reopen_task(self, task: Task) -> None:
        """Undo ``decide_task`` when the execution could not be resumed, so the officer can try again."""
        actions: list[UpdateAction] = [
            DossierItem.body.set(task.model_dump_json()),
            DossierItem.status.set(TaskStatus.OPEN.value),
        ]
        if task.in_inbox:
            actions += [
                DossierItem.gsi1pk.set(f"INBOX#{task.agency_code}"),
                DossierItem.gsi1sk.set(f"{task.created_at.isoformat()}#{task.task_id}"),
            ]
        DossierItem(_pk(task.dossier_code), f"T#{task.step}").update(actions=actions)


__all__ = ["DossierStore", "Status"]
