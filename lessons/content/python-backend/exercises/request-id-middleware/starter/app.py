"""A small FastAPI service whose logs cannot be followed: nothing ties the lines
of one request together, and nothing records how each request went."""

import asyncio
import json
import logging

from fastapi import FastAPI

app = FastAPI()


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector to parse."""

    def format(self, record):
        line = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        # Extra fields given with logger.info(..., extra={"fields": {...}}).
        line.update(getattr(record, "fields", {}))
        return json.dumps(line)


class ListHandler(logging.Handler):
    """Keeps the formatted lines in LOG_LINES, where the tests read them."""

    def emit(self, record):
        LOG_LINES.append(self.format(record))


LOG_LINES = []
handler = ListHandler()
handler.setFormatter(JsonFormatter())
for name in ("app", "access"):
    logging.getLogger(name).addHandler(handler)
    logging.getLogger(name).setLevel(logging.INFO)

log = logging.getLogger("app")
access_log = logging.getLogger("access")


@app.get("/hello")
async def hello():
    log.info("saying hello")
    return {"message": "Hello, World!"}


@app.get("/slow")
async def slow(ms: int = 50):
    log.info("waiting", extra={"fields": {"ms": ms}})
    await asyncio.sleep(ms / 1000)
    log.info("done waiting")
    return {"waited_ms": ms}


@app.get("/boom")
async def boom():
    log.info("about to fail")
    raise RuntimeError("something broke")
