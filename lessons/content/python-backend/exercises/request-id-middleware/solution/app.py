"""A small FastAPI service whose logs can be followed: every line of a request
carries its request id, and a middleware logs one access line per request."""

import asyncio
import contextvars
import json
import logging
import re
import time
import uuid

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse

app = FastAPI()

# The id of the request being handled. A context variable, not a global: every
# request runs in a context of its own, so concurrent requests keep their ids.
request_id_var = contextvars.ContextVar("request_id", default=None)
# A client's id is kept only when it is short and plain: it ends up in log lines.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log collector to parse."""

    def format(self, record):
        line = {"level": record.levelname, "logger": record.name, "message": record.getMessage()}
        # Extra fields given with logger.info(..., extra={"fields": {...}}).
        line.update(getattr(record, "fields", {}))
        line["request_id"] = request_id_var.get()
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


@app.middleware("http")
async def request_id_and_access_log(request: Request, call_next):
    sent = request.headers.get("x-request-id", "")
    request_id = sent if SAFE_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    status = 500
    try:
        try:
            response = await call_next(request)
        except Exception:
            log.exception("unhandled error")
            response = PlainTextResponse("Internal Server Error", status_code=500)
        status = response.status_code
        response.headers["X-Request-ID"] = request_id
        return response
    finally:
        access_log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "path": request.url.path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                }
            },
        )
        request_id_var.reset(token)


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
