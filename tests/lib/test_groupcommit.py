"""Group commit on the real database: the writer thread writes waiting items together, answers each after
the commit, isolates the item that fails, and never leaves a request without an answer."""

import datetime as dt
import threading
import time

import pytest
from django.db import connections, transaction

from gridgov.cases.models import CalendarOverride
from gridgov.core.errors import DomainError
from gridgov.lib.groupcommit import GroupCommit

DAY = dt.date(2031, 1, 1)


class Recorder:
    """A write function: one CalendarOverride per item (a day number), in one transaction per batch.
    Item "bad" makes the whole batch raise (as a bug would); item "refused" is answered with a DomainError."""

    def __init__(self, gate: threading.Event | None = None):
        self.batches: list[list] = []
        self.gate = gate
        self.entered = threading.Event()  # the first batch is being written (and held at the gate)

    def __call__(self, items):
        if self.gate is not None and not self.batches and not self.entered.is_set():
            self.entered.set()
            self.gate.wait(10)
        self.batches.append(list(items))
        answers = []
        with transaction.atomic():
            for item in items:
                if item == "bad":
                    raise ValueError("坏数据")
                if item == "refused":
                    answers.append(DomainError("不予受理"))
                    continue
                answers.append(CalendarOverride.objects.create(date=DAY + dt.timedelta(days=item), is_working_day=True))
        return answers


def _submit_all(committer: GroupCommit, items: list) -> dict:
    answers: dict = {}

    def one(item):
        try:
            answers[item] = committer.submit(item)
        except Exception as exc:
            answers[item] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _queued(committer: GroupCommit, n: int) -> None:
    deadline = time.monotonic() + 10
    while len(committer._queue) < n and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(committer._queue) == n


def _held_then_queued(rest_items: list) -> tuple[list, dict]:
    """Item 0 is written alone and held at the gate while `rest_items` queue up behind it; then all go.

    Returns the batches the writer saw and each of the rest's answers (a result or the exception)."""
    gate = threading.Event()
    write = Recorder(gate)
    committer = GroupCommit("测试", write)
    first = threading.Thread(target=_submit_all, args=(committer, [0]))
    first.start()
    assert write.entered.wait(10)
    later: dict = {}
    rest = threading.Thread(target=lambda: later.update(_submit_all(committer, rest_items)))
    rest.start()
    _queued(committer, len(rest_items))
    gate.set()
    first.join()
    rest.join()
    return write.batches, later


@pytest.mark.django_db(transaction=True)
def test_items_that_wait_together_are_written_in_one_batch_and_each_gets_its_own_answer():
    batches, later = _held_then_queued([1, 2, 3, "refused", 5])
    assert [len(b) for b in batches] == [1, 5]
    assert {k: v.date for k, v in later.items() if not isinstance(v, Exception)} == {
        1: dt.date(2031, 1, 2), 2: dt.date(2031, 1, 3), 3: dt.date(2031, 1, 4), 5: dt.date(2031, 1, 6)}
    assert isinstance(later["refused"], DomainError) and later["refused"].message == "不予受理"
    assert CalendarOverride.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_raises_is_written_again_item_by_item_so_only_the_bad_item_fails():
    batches, later = _held_then_queued([1, "bad", 2])
    assert sorted(len(b) for b in batches) == [1, 1, 1, 1, 3]
    assert isinstance(later["bad"], ValueError) and str(later["bad"]) == "坏数据"
    assert (later[1].date, later[2].date) == (dt.date(2031, 1, 2), dt.date(2031, 1, 3))
    assert sorted(CalendarOverride.objects.values_list("date", flat=True)) == [
        dt.date(2031, 1, 1), dt.date(2031, 1, 2), dt.date(2031, 1, 3)]


@pytest.mark.django_db(transaction=True)
def test_an_item_still_queued_at_its_timeout_is_refused_and_never_written():
    gate = threading.Event()
    write = Recorder(gate)
    committer = GroupCommit("测试", write, timeout=0.2)
    first = threading.Thread(target=_submit_all, args=(committer, [0]))
    first.start()
    assert write.entered.wait(10)
    with pytest.raises(TimeoutError, match="测试：0 秒内未能开始写入，未保存，请稍后重试"):
        committer.submit(7)
    assert committer._queue == []
    gate.set()
    first.join()
    assert [b for b in write.batches] == [[0]]
    assert list(CalendarOverride.objects.values_list("date", flat=True)) == [dt.date(2031, 1, 1)]


@pytest.mark.django_db
def test_inside_a_transaction_the_write_joins_it_in_the_callers_thread():
    write = Recorder()
    committer = GroupCommit("测试", write)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            assert committer.submit(4).date == dt.date(2031, 1, 5)
            assert CalendarOverride.objects.count() == 1
            raise RuntimeError("roll back")
    assert committer._pid is None  # no writer thread was started
    assert CalendarOverride.objects.count() == 0
    with pytest.raises(DomainError, match="不予受理"):
        committer.submit("refused")
