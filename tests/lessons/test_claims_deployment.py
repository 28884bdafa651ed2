"""Claims of the deployment lessons (09-deployment), run for real: the nginx
configuration and ProxyFix of 08-01 must agree on which forwarded headers the
proxy writes, and the request-id logging of 08-03 must write the id it
promises, on every line, without trusting whatever id a client sends."""

import ast
import json
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from werkzeug.test import Client

from tests.support.lesson_code import code_block, lesson_text

PROXIES = "09-deployment/01-servers-and-proxies.md"
OBSERVABILITY = "09-deployment/03-observability.md"
CONVERTED = [
    PROXIES,
    OBSERVABILITY,
    "03-routes-views-and-layout/03-middleware.md",
    "04-databases/02-migrations.md",
]

# ProxyFix's x_* arguments and the header each one makes the app believe.
PROXY_FIX_HEADERS = {
    "x_for": "X-Forwarded-For",
    "x_proto": "X-Forwarded-Proto",
    "x_host": "X-Forwarded-Host",
    "x_port": "X-Forwarded-Port",
    "x_prefix": "X-Forwarded-Prefix",
}


# --- 08-01: nginx and ProxyFix -------------------------------------------------------------


@dataclass
class NginxBlock:
    """One `name args { ... }` block of an nginx configuration."""

    name: str
    args: list[str]
    directives: list[list[str]] = field(default_factory=list)
    blocks: list["NginxBlock"] = field(default_factory=list)

    def walk(self) -> list["NginxBlock"]:
        return [self, *(inner for block in self.blocks for inner in block.walk())]

    def proxy_set_headers(self) -> dict[str, str]:
        return {d[1].lower(): d[2] for d in self.directives if d[0] == "proxy_set_header"}


NGINX_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{};]|[^\s{};"]+')


def parse_nginx(config: str) -> NginxBlock:
    """A small nginx parser: directives end with `;`, blocks are `name args { ... }`."""
    text = "\n".join(line.split("#", 1)[0] for line in config.splitlines())
    root = NginxBlock("main", [])
    stack = [root]
    words: list[str] = []
    for token in NGINX_TOKEN.findall(text):
        if token == ";":
            stack[-1].directives.append(words)
            words = []
        elif token == "{":
            block = NginxBlock(words[0], words[1:])
            stack[-1].blocks.append(block)
            stack.append(block)
            words = []
        elif token == "}":
            assert not words, f"directive without ';' before '}}': {words}"
            stack.pop()
        else:
            words.append(token[1:-1] if token.startswith('"') else token)
    assert len(stack) == 1 and not words, "unbalanced nginx configuration"
    return root


def lesson_nginx() -> NginxBlock:
    return parse_nginx(code_block(PROXIES, containing="proxy_pass", language="nginx"))


def proxied_locations() -> list[NginxBlock]:
    locations = [
        block
        for block in lesson_nginx().walk()
        if block.name == "location" and any(d[0] == "proxy_pass" for d in block.directives)
    ]
    assert locations, "the lesson's nginx block passes nothing to the app"
    return locations


def lesson_proxy_fix() -> tuple[str, dict[str, int]]:
    """The lesson's ProxyFix code and the x_* arguments it passes."""
    code = code_block(PROXIES, containing="ProxyFix(")
    calls = [
        node
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "ProxyFix"
    ]
    assert len(calls) == 1
    trusted = {
        keyword.arg: ast.literal_eval(keyword.value)
        for keyword in calls[0].keywords
        if keyword.arg in PROXY_FIX_HEADERS
    }
    return code, {name: hops for name, hops in trusted.items() if hops}


def test_nginx_sets_every_header_that_proxy_fix_trusts() -> None:
    _, trusted = lesson_proxy_fix()
    assert "x_host" in trusted  # the lesson's claim: the host name comes from the proxy
    for location in proxied_locations():
        sets = location.proxy_set_headers()
        for argument in trusted:
            header = PROXY_FIX_HEADERS[argument]
            assert header.lower() in sets, (
                f"ProxyFix({argument}=...) trusts {header}, but nginx's location "
                f"{' '.join(location.args)} never sets it, so a client's own {header} "
                "passes straight through"
            )
        assert sets.get("x-forwarded-host", "$host") == "$host"
        assert sets.get("host") == "$host"


NGINX_VARIABLES = {"$host": "shop.example.com", "$scheme": "https"}
PROXY_ADDRESS = "127.0.0.1"
CLIENT_ADDRESS = "203.0.113.7"


def through_nginx(location: NginxBlock, client_headers: dict[str, str]) -> dict[str, str]:
    """The headers nginx sends upstream for `client_headers`: what the location sets
    replaces the client's header of that name, everything else passes through."""
    sets = location.proxy_set_headers()
    upstream = {name: value for name, value in client_headers.items() if name.lower() not in sets}
    for name, value in sets.items():
        if value == "$proxy_add_x_forwarded_for":
            previous = client_headers.get("X-Forwarded-For")
            value = f"{previous}, {CLIENT_ADDRESS}" if previous else CLIENT_ADDRESS
        elif value.startswith("$"):
            if value not in NGINX_VARIABLES:  # $http_upgrade and the like
                continue
            value = NGINX_VARIABLES[value]
        upstream[name] = value
    return upstream


def proxied_app() -> Flask:
    app = Flask("proxied")

    @app.get("/ws/where")
    @app.get("/where")
    def where() -> dict[str, Any]:
        return {
            "url_root": request.url_root,
            "host": request.host,
            "scheme": request.scheme,
            "remote_addr": request.remote_addr,
            "reset_link": f"{request.url_root}reset/abc123",
        }

    return app


def test_proxy_fix_behind_the_lessons_nginx_believes_the_proxy_not_the_client() -> None:
    code, _ = lesson_proxy_fix()
    app = proxied_app()
    exec(compile(code, PROXIES, "exec"), {"app": app})  # noqa: S102 - the lesson's own code
    client = Client(app.wsgi_app)
    spoofing = {
        "Host": "shop.example.com",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-For": "10.0.0.1",
        "X-Forwarded-Proto": "http",
    }
    for location in proxied_locations():
        path = location.args[-1] + "where"  # "/where", "/ws/where"
        headers = through_nginx(location, spoofing)
        response = client.get(
            path, headers=headers, environ_overrides={"REMOTE_ADDR": PROXY_ADDRESS}
        )
        assert response.status_code == 200, path
        seen = response.get_json()
        assert seen["url_root"] == "https://shop.example.com/", (path, seen)
        assert seen["host"] == "shop.example.com"
        assert seen["scheme"] == "https"
        assert seen["remote_addr"] == CLIENT_ADDRESS
        assert seen["reset_link"].startswith("https://shop.example.com/")


# --- 08-03: structured logs with a request id ----------------------------------------------

REQUEST_ID_DRIVER = """
import json
import sys

ORDERS = logging.getLogger("shop.orders")


@app.get("/orders/<int:order_id>")
def show_order(order_id):
    ORDERS.info("order_viewed", extra={"fields": {"order_id": order_id}})
    ORDERS.warning("slow_query")
    return {"order_id": order_id}


client = app.test_client()
answers = []
for index, sent in enumerate(json.loads(sys.argv[1])):
    environ = {} if sent is None else {"HTTP_X_REQUEST_ID": sent}
    print(json.dumps({"marker": index}), file=sys.stderr, flush=True)
    response = client.get(f"/orders/{index}", environ_overrides=environ)
    answers.append({"status": response.status_code,
                    "request_id": response.headers.get("X-Request-ID")})
ORDERS.info("between_requests")
print(json.dumps(answers))
"""

GOOD_ID = "3f9c2a71-checkout_42"
MALICIOUS_IDS = [
    'abc\n{"time": "x", "level": "CRITICAL", "event": "forged"}',
    "x" * 10_000,
    '"}, "level": "DEBUG", "request_id": "',
    "a" * 65,
    "id with spaces",
    "caf\u00e9",
]
UUID4_HEX = re.compile(r"[0-9a-f]{32}")


def run_request_id_logging(tmp_path: Path, sent: list[str | None]) -> tuple[list[Any], str]:
    """Run the lesson's two logging blocks and a view that logs in a fresh Python, so
    that `logging.basicConfig` really configures its root logger; returns the responses
    and what was logged to stderr."""
    program = "\n\n".join(
        [
            code_block(OBSERVABILITY, containing="class JsonFormatter"),
            code_block(OBSERVABILITY, containing="RequestIdFilter"),
            textwrap.dedent(REQUEST_ID_DRIVER),
        ]
    )
    script = tmp_path / "request_ids.py"
    script.write_text(program, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), json.dumps(sent)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def test_every_log_line_is_json_with_the_request_id_and_odd_ids_are_replaced(
    tmp_path: Path,
) -> None:
    sent: list[str | None] = [GOOD_ID, None, *MALICIOUS_IDS]
    answers, stderr = run_request_id_logging(tmp_path, sent)

    lines: list[dict[str, Any]] = []
    for line in stderr.splitlines():
        record = json.loads(line)  # a forged or broken line would fail here
        assert isinstance(record, dict), line
        lines.append(record)

    # Group the lines by the request they were logged in (the driver's markers).
    # Lines logged outside any request (the lesson's own example line at import, and
    # the driver's line after the last request) must not carry a request's id.
    per_request: list[list[dict[str, Any]]] = []
    outside: list[dict[str, Any]] = []
    for record in lines:
        if "marker" in record:
            per_request.append([])
        elif not per_request or record.get("event") == "between_requests":
            outside.append(record)
        else:
            per_request[-1].append(record)
    assert len(per_request) == len(sent) == len(answers)

    seen_ids = set()
    for value, answer, records in zip(sent, answers, per_request, strict=True):
        assert answer["status"] == 200, value
        returned = answer["request_id"]
        if value == GOOD_ID:
            assert returned == GOOD_ID, "a well-formed incoming id is reused"
        else:
            assert UUID4_HEX.fullmatch(returned), (
                f"incoming id {value!r:.60} should be replaced by a new uuid4, got {returned!r:.60}"
            )
        assert [r["event"] for r in records] == ["order_viewed", "slow_query"]
        for record in records:
            assert record["request_id"] == returned, (
                "every line of the request carries the id returned in X-Request-ID"
            )
            assert {"time", "level", "logger"} <= record.keys()
        assert records[0]["order_id"] == sent.index(value)
        seen_ids.add(returned)
    assert len(seen_ids) == len(sent), "each request gets its own id"

    assert [r["event"] for r in outside] == ["order_created", "between_requests"]
    assert [r["request_id"] for r in outside] == ["-", "-"], (
        "a line logged outside a request carries no request's id"
    )


@pytest.mark.parametrize("lesson", CONVERTED)
def test_reveal_boxes_are_graded_questions(lesson: str) -> None:
    text = lesson_text(lesson)
    assert '??? question "' not in text
    assert len(re.findall(r"^```question$", text, re.M)) >= 4
