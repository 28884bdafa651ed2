"""Django's SQLite backend, with the writers of one process taking turns.

SQLite lets one writer in at a time; the others poll the lock with sleeps
that grow to 100 ms. Under a burst (many learners submitting at once while
the graders store their events) that polling starves writers for seconds.
Queueing this process's write transactions on a lock lets each start the
moment the previous one commits. Other processes (`manage.py grade`) still
meet SQLite's own lock and its timeout.
"""

import threading
from typing import Any

from django.db.backends.sqlite3 import base

_writers = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    holds_write_lock = False

    def _start_transaction_under_autocommit(self) -> None:
        # Every atomic block starts here (BEGIN IMMEDIATE takes SQLite's write lock).
        _writers.acquire()
        self.holds_write_lock = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._write_lock_release()
            raise

    def _write_lock_release(self) -> None:
        if self.holds_write_lock:
            self.holds_write_lock = False
            _writers.release()

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._write_lock_release()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._write_lock_release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._write_lock_release()
