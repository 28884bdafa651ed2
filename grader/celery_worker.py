"""What a Celery worker does besides its tasks (GRADER_BACKEND=celery): its
main process runs the sweep (grader/periodic.py) once the worker is ready, and
each process that grades keeps its own pool of started sandboxes
(docs/sandbox.md). Loaded by the worker with the tasks (config/celery.py).
"""

import logging
import threading
from typing import Any

from celery.signals import (
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)
from django.db import connection

from grader.periodic import sweeper_start, sweeper_stop
from grader.services import sandbox_pool_prepare
from sandboxes.runner import sandbox_pool_stop

logger = logging.getLogger(__name__)


@worker_ready.connect
def _sweeper_start(sender: Any = None, **kwargs: Any) -> None:
    # In the worker's main process, once its pool of processes is up.
    sweeper_start()


@worker_shutdown.connect
def _sweeper_stop(sender: Any = None, **kwargs: Any) -> None:
    sweeper_stop()


@worker_process_init.connect
def _sandbox_pool_start(sender: Any = None, **kwargs: Any) -> None:
    # In each process that grades. From a thread of its own, which opens its
    # own database connection rather than one this freshly forked process may
    # share with its parent.
    threading.Thread(target=_sandbox_pool_prepare, name="sandbox-pool-prepare").start()


def _sandbox_pool_prepare() -> None:
    try:
        sandbox_pool_prepare()
    except Exception:
        logger.exception("starting the sandbox pool failed")
    finally:
        connection.close()


@worker_process_shutdown.connect
def _sandbox_pool_stop(sender: Any = None, **kwargs: Any) -> None:
    sandbox_pool_stop()
