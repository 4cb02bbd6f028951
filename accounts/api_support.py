"""The API's shared parts: one error shape, cursor pagination, the schema hook that documents the error shape, and
conditional GET (ETag / If-None-Match) for the detail endpoints.

Every error is `{"error": {"code": str, "message": str, "fields": {field: [messages]}}}` — `fields` only for input
errors. Domain errors from services map to the same shape: 400 when a rule refused the input, 403 when the actor may
not act (`not_allowed`), and 409 when the object has moved on (`illegal_transition`: a draft is not published, a
published record is not edited, the second of two reviewers pressing the same button finds the new state).
"""

import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django.views.defaults import server_error as site_server_error
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from kernel.errors import DomainError
from kernel.transitions import ILLEGAL_TRANSITION

logger = logging.getLogger(__name__)

SERVER_ERROR_MESSAGE = gettext_lazy("The server could not complete the request; nothing is lost. Try again later.")


# The largest id PostgreSQL's bigint holds; a cursor position beyond it is not one this API handed out.
MAX_ID = 2**63 - 1


class IdCursorPagination(CursorPagination):
    """Keyset pagination: constant time at any depth (OFFSET 500,000 took 1.6 s here).

    A page size or a cursor the caller cannot have meant is a 400 naming the parameter: DRF's own pagination falls
    back to the default page size without a word, and answers a damaged cursor with 404.
    """

    ordering = "id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        # Both parameters are checked before either is used, so a caller reads every mistake at once.
        errors: dict[str, Any] = {}
        for check in (self._check_page_size, self.decode_cursor):
            try:
                check(request)
            except exceptions.ValidationError as exc:
                errors.update(exc.detail)  # type: ignore[arg-type]  # both checks raise with a dict
        if errors:
            raise exceptions.ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def _check_page_size(self, request: Request) -> None:
        text = request.query_params.get(self.page_size_query_param, "")
        if text == "":
            return
        if not (text.isascii() and text.isdigit() and 1 <= int(text) <= self.max_page_size):
            message = _("Enter a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
            raise exceptions.ValidationError({self.page_size_query_param: [message]})

    def get_page_size(self, request: Request) -> int | None:
        text = request.query_params.get(self.page_size_query_param, "")
        return int(text) if text else self.page_size  # checked by paginate_queryset

    def decode_cursor(self, request: Request) -> Cursor | None:
        # DRF answers a damaged cursor with 404; it is bad input, like any other malformed parameter. The position
        # is an id: anything else would reach the database as a comparison with the id column.
        invalid = exceptions.ValidationError({self.cursor_query_param: [_("The cursor is not valid.")]})
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound as exc:
            raise invalid from exc
        if cursor is not None and cursor.position is not None:
            # The text of the query string (the stubs say int).
            position = str(cursor.position)
            if not (position.isascii() and position.isdigit() and int(position) <= MAX_ID):
                raise invalid
        return cursor

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


# DRF's messages that it does not translate, by code: "No data provided" for a JSON body of `null`.
UNTRANSLATED = {"null": ("No data provided", gettext_lazy("No data was sent: send a JSON object."))}


def _message(value: Any) -> str:
    untranslated = UNTRANSLATED.get(getattr(value, "code", None) or "")
    if untranslated is not None and str(value) == untranslated[0]:
        return str(untranslated[1])
    return str(value)


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub_key, sub_value in _flatten(value).items():
                    out[f"{key}.{sub_key}"] = sub_value
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub_key, sub_value in _flatten(item).items():
                        out[f"{key}.{index}.{sub_key}"] = sub_value
            else:
                out[key] = [_message(v) for v in (value if isinstance(value, list) else [value])]
        return out
    return {"non_field_errors": [_message(v) for v in (detail if isinstance(detail, list) else [detail])]}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _unreadable_body(exc: Exception, request: Any) -> Response | None:
    """A body the parsers could not read, in the error shape and the request's language.

    DRF's parsers put the library's English words into the message ("JSON parse error - Expecting value: line 1
    column 1 (char 0)"); Django refuses a body over its size or field limits with a page of its own. Neither tells a
    Chinese-speaking caller anything; the parser's detail is not needed to fix the request either.
    """
    if isinstance(exc, RequestDataTooBig):
        return Response(
            error_body("too_large", _("The request body is too large.")), status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return Response(
            error_body("too_many_fields", _("The request has too many fields or files.")),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if not isinstance(exc, exceptions.ParseError):
        return None
    media_type = (getattr(request, "content_type", "") or "").split(";")[0].strip().lower()
    if media_type.endswith("json"):
        message = _("The request body is not valid JSON.")
    elif media_type == "multipart/form-data":
        message = _("The request body is not a valid multipart form.")
    else:
        message = _("The request body could not be read.")
    return Response(error_body("parse_error", message), status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        fields = exc.field_errors() or None
        status_code = status.HTTP_409_CONFLICT if exc.code == ILLEGAL_TRANSITION else exc.status
        return Response(error_body(exc.code, str(exc.message), fields), status=status_code)
    unreadable = _unreadable_body(exc, context.get("request"))
    if unreadable is not None:
        return unreadable
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        # Anything else that failed inside a view (the database, a cache, a bug): still the one error shape, never
        # the site's HTML error page. The traceback goes to the log.
        request = context.get("request")
        logger.exception("API request %s failed", getattr(request, "path", "?"), exc_info=exc)
        set_rollback()
        return Response(error_body("server_error", str(SERVER_ERROR_MESSAGE)), status=500)
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("The input is not valid."), _flatten(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        message = str(exc.detail) if not isinstance(exc.detail, (dict, list)) else _("The request failed.")
        response.data = error_body(str(code), message)
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and "Retry-After" not in response:
        response["Retry-After"] = "60"
    return response


# The error shape in the OpenAPI schema ------------------------------------------------------------------------------

ERROR_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "description": "Every error response of this API has this shape.",
        "properties": {"error": {"$ref": "#/components/schemas/ErrorBody"}},
        "required": ["error"],
    },
    "ErrorBody": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "Stable, machine-readable reason, e.g. `invalid`, `not_found`."},
            "message": {"type": "string", "description": "For people, in the language of the request."},
            "fields": {
                "type": "object",
                "description": "Only for input errors: the messages per input field (query parameter or body key).",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "required": ["code", "message"],
    },
}

# status → (component name, description)
ERROR_RESPONSES: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "The input is not valid (see `fields`), or a rule refused the action."),
    "401": ("Unauthorized", "No credentials, or the token is invalid, expired or revoked."),
    "403": ("Forbidden", "Your role, or your API client's scopes (`insufficient_scope`), may not do this."),
    "404": ("NotFound", "Not found, or outside your scope."),
    "409": ("Conflict", "The object's current state does not allow this (`illegal_transition`); read it again."),
    "429": ("TooManyRequests", "Too many requests; try again after `Retry-After` seconds."),
    "500": ("ServerError", "The server could not complete the request (`server_error`); try again later."),
}
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _error_response(description: str, *, retry_after: bool = False) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    if retry_after:
        response["headers"] = {
            "Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}
        }
    return response


def _error_codes_of(path: str, operation: dict[str, Any]) -> set[str]:
    codes = {"429", "500"}
    security = operation.get("security", [])
    if security and {} not in security:
        codes |= {"401", "403"}
    if "requestBody" in operation or any(p.get("in") == "query" for p in operation.get("parameters", [])):
        codes.add("400")
    if "{" in path:
        codes.add("404")
    return codes


def schema_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the error responses it can give.

    A view may declare an error status with a description only (`OpenApiResponse(description=...)`); the hook gives
    it the error body. The other statuses follow from the operation: 401/403 when it needs a login, 400 when it takes
    input, 404 when its path names an object, 429 always.
    """
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(ERROR_SCHEMAS)
    responses = components.setdefault("responses", {})
    for status_code, (name, description) in ERROR_RESPONSES.items():
        responses[name] = _error_response(description, retry_after=status_code == "429")
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            declared = operation.setdefault("responses", {})
            for status_code in _error_codes_of(path, operation):
                declared.setdefault(status_code, {"$ref": f"#/components/responses/{ERROR_RESPONSES[status_code][0]}"})
            for status_code, response in declared.items():
                if status_code in ERROR_RESPONSES and "$ref" not in response and "content" not in response:
                    declared[status_code] = _error_response(
                        response.get("description") or ERROR_RESPONSES[status_code][1],
                        retry_after=status_code == "429",
                    )
            # Sorted, so the generated file does not change from run to run.
            operation["responses"] = dict(sorted(declared.items()))
    return result


# Conditional GET ----------------------------------------------------------------------------------------------------


def etag_of(*parts: object) -> str:
    """A strong entity tag over what decides a representation (never the rendered body: that costs the render)."""
    digest = hashlib.blake2b("\x1f".join(str(part) for part in parts).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


def if_none_match(request: Any, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weak comparison, RFC 9110 §13.1.2), is `*`, or lists it among others."""
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    tags = parse_etags(header)
    return tags == ["*"] or etag in {tag.removeprefix("W/") for tag in tags}


class ConditionalRetrieveMixin:
    """GET of one object with a strong ETag, and 304 Not Modified when If-None-Match names it.

    The object is fetched through the view's scoped queryset first, so a caller outside the scope gets 404 whatever
    headers it sends. The tag is built from `etag_parts(obj)` — version, update times of the rows the representation
    shows — plus the language and the format, so it costs no query beyond the fetch; `prepare(obj)` then loads what
    only the full answer needs. Each view that changes what it shows must change its parts.
    """

    # Per-caller data: only the caller's own cache may keep it, and it revalidates every time.
    private_cache = True
    conditional_vary: tuple[str, ...] = ("Accept", "Accept-Language", "Authorization", "Cookie")

    def etag_parts(self, obj: Any) -> tuple[object, ...]:
        raise NotImplementedError

    def prepare(self, obj: Any) -> Any:
        return obj

    def object_read(self, obj: Any) -> None:
        """Called on every answered read, 304 included (e.g. to log it)."""

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        obj = self.get_object()  # type: ignore[attr-defined]
        self.object_read(obj)
        etag = etag_of(type(self).__name__, get_language(), request.accepted_renderer.format, *self.etag_parts(obj))
        response: Any
        if if_none_match(request, etag):
            response = HttpResponseNotModified()
        else:
            response = Response(self.get_serializer(self.prepare(obj)).data)  # type: ignore[attr-defined]
        response["ETag"] = etag
        patch_vary_headers(response, self.conditional_vary)
        if self.private_cache:
            patch_cache_control(response, private=True, no_cache=True)
        return response


IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    location=OpenApiParameter.HEADER,
    required=False,
    description="The `ETag` of the copy you hold (or several, or `*`): the answer is 304 with no body while it is "
    "current.",
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    location=OpenApiParameter.HEADER,
    response=[200, 304],
    description="A strong tag of this representation; send it back in `If-None-Match`.",
)


def conditional_get_schema(serializer: Any, **kwargs: Any) -> Any:
    """extend_schema for a ConditionalRetrieveMixin GET: the If-None-Match header, the ETag and the 304."""
    return extend_schema(
        parameters=[IF_NONE_MATCH, ETAG_HEADER],
        responses={
            200: serializer,
            304: OpenApiResponse(description="Not modified: the tag in `If-None-Match` is still current. No body."),
        },
        **kwargs,
    )


API_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404, and accounts.middleware.ApiNotFoundMiddleware's answer under /api/."""
    if request.path.startswith(API_PREFIX):
        # Chinese as it is, like the API's other answers (DRF's JSON renderer does not escape it either).
        return JsonResponse(
            error_body("not_found", _("Not found.")), status=404, json_dumps_params={"ensure_ascii": False}
        )
    return page_not_found(request, exception or Http404())


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: what failed outside a view (a middleware, the database before the view) answers under /api/ in the
    API's error shape too."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(
            error_body("server_error", str(SERVER_ERROR_MESSAGE)), status=500, json_dumps_params={"ensure_ascii": False}
        )
    return site_server_error(request)
