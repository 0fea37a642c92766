"""Group commit: web requests hand their write to one thread per process and wait until it is committed.

A request calls `submit(item)` and blocks. The process's writer thread takes every item waiting (up to
`max_batch`), calls `write(items)` — which writes them in one transaction and returns, in order, each
item's result or the exception that refused it — and only then wakes each request with its own
answer. So a request is answered after its rows are committed (an acknowledged report survives a
power cut exactly as before), while N requests share one commit — one fsync of SQLite's WAL, one
flush of PostgreSQL's — and whatever reads `write` shares between them. Batches form by themselves:
while one is being written the next requests queue up; an idle server writes batches of one.

If `write` raises instead of answering (a bug, a lost connection), nothing of that batch was
written; each item is then written alone, so that only the item that fails gets the exception.

A caller that is already inside a transaction must not use this (its write would leave the
transaction); `submit` then runs `write([item])` in the caller's own thread and transaction.
"""

import logging
import os
import threading
from collections.abc import Callable, Sequence

from django.db import close_old_connections, connection, connections

log = logging.getLogger(__name__)
IDLE_CLOSE_S = 2.0


class _Waiting:
    __slots__ = ("answer", "done", "item")

    def __init__(self, item):
        self.item = item
        self.done = threading.Event()
        self.answer = None


class GroupCommit:
    def __init__(self, name: str, write: Callable[[Sequence], list], *, max_batch: int = 64,
                 timeout: float = 60.0):
        self.name, self.write, self.max_batch, self.timeout = name, write, max_batch, timeout
        self._lock = threading.Condition()
        self._queue: list[_Waiting] = []
        self._pid = None  # the process whose writer thread runs; a forked child starts its own

    def submit(self, item):
        """The item's result once it is committed; raises the exception that refused it."""
        if connection.in_atomic_block:
            return _unwrap(self.write([item])[0])
        waiting = _Waiting(item)
        with self._lock:
            self._start()
            self._queue.append(waiting)
            self._lock.notify()
        if not waiting.done.wait(self.timeout):
            with self._lock:
                queued = waiting in self._queue
                if queued:
                    self._queue.remove(waiting)
            if queued:  # never started: certainly not written, so the client may safely send it again
                raise TimeoutError(f"{self.name}：{self.timeout:.0f} 秒内未能开始写入，未保存，请稍后重试")
            waiting.done.wait()  # being written: the answer must say whether it was, so wait for it
        return _unwrap(waiting.answer)

    def _start(self) -> None:
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._queue.clear()  # a forked child inherits no waiting requests, only their copies
        threading.Thread(target=self._run, name=f"group-commit-{self.name}", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._queue:
                    if not self._lock.wait(IDLE_CLOSE_S):
                        connections.close_all()  # an idle writer holds no database connection
                        self._lock.wait()
                batch, self._queue[:] = self._queue[:self.max_batch], self._queue[self.max_batch:]
            try:
                close_old_connections()
                answers = self._answers([w.item for w in batch])
            except BaseException as exc:  # the thread must live on, and no request may wait for ever
                answers = [exc] * len(batch)
            for waiting, answer in zip(batch, answers, strict=True):
                waiting.answer = answer
                waiting.done.set()

    def _answers(self, items: list) -> list:
        try:
            return self._checked(items, self.write(items))
        except Exception as exc:  # nothing of the batch was written; find the one that fails
            if len(items) == 1:
                log.exception("%s：写入失败", self.name)
                return [exc]
            log.warning("%s：%d 项一起写入失败（%s: %s），逐项重试", self.name, len(items), type(exc).__name__, exc)
            return [self._answers([item])[0] for item in items]

    @staticmethod
    def _checked(items: list, answers: list) -> list:
        if len(answers) != len(items):
            raise RuntimeError(f"写入函数为 {len(items)} 项返回了 {len(answers)} 个结果")
        return answers


def _unwrap(answer):
    if isinstance(answer, BaseException):
        raise answer
    return answer
