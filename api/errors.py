"""One error shape for every failure: RFC 9457 problem details (application/problem+json)."""

from http import HTTPStatus
from typing import Any

from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from curation.errors import DomainError

PROBLEM_TYPE = "about:blank"


def problem(status_code: int, title: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    body = {"type": PROBLEM_TYPE, "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return body


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body = problem(exc.status, exc.code.replace("_", " ").capitalize(), exc.message, code=exc.code)
        if exc.field_errors:
            body["errors"] = exc.field_errors
        return Response(body, status=exc.status, content_type="application/problem+json")
    response = exception_handler(exc, context)
    if response is None:
        return None
    title = _title(response.status_code)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        body = problem(response.status_code, title, "The request has invalid fields.", errors=data)
    else:
        detail = data.get("detail", "") if isinstance(data, dict) else ""
        body = problem(response.status_code, title, str(detail))
    response.data = body
    response.content_type = "application/problem+json"
    return response


def _title(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Error"


def json_problem_response(status_code: int, detail: str = "") -> JsonResponse:
    return JsonResponse(
        problem(status_code, _title(status_code), detail),
        status=status_code,
        content_type="application/problem+json",
    )


def api_not_found(request: Any, exception: Http404 | None = None) -> JsonResponse:
    return json_problem_response(404, "No API endpoint at this path.")
