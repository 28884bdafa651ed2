"""The HTTP API under /api/v1/ (docs/api.md): OpenAPI at /api/v1/openapi.json,
Swagger UI at /api/v1/docs (Ninja's own page: its settings in a JSON block and
its scripts as static files, so it runs under the site's script-src 'self')."""

from ninja import NinjaAPI

from api.auth import BearerToken
from api.catalog import router as catalog_router
from api.errors import errors_install
from api.request_bodies import JsonBodyParser
from api.submissions import router as submissions_router
from api.teaching import router as teaching_router
from api.tokens import router as tokens_router

api = NinjaAPI(
    title="Lectern API",
    version="1",
    description=(
        "Submit code for grading, follow it as it is graded, read results. Authenticate "
        "with a personal access token (create one on /accounts/tokens/, or from a username "
        "and password with POST /api/v1/tokens) sent as "
        '`Authorization: Bearer lct_…`. Errors are `{"error": {"code", "message", '
        '"fields"?}}`. Guide: docs/api.md.'
    ),
    auth=BearerToken(),
    # JSON bodies only, labelled as such: anything else is 415 (api/request_bodies.py).
    parser=JsonBodyParser(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors_install(api)
api.add_router("", catalog_router)
api.add_router("", submissions_router)
api.add_router("", tokens_router)
api.add_router("", teaching_router)
