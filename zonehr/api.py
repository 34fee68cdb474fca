"""API plumbing shared by every app: the one error shape and the root router."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from zonehr.errors import ApplicationError, error_from_validation


class ApplicationErrorSerializer(serializers.Serializer):
    """The one error shape of the pages and the API, for the OpenAPI schema."""

    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _flatten(detail) -> tuple[str, dict[str, list[str]]]:
    """DRF error details to (message, fields)."""
    if isinstance(detail, dict):
        fields = {}
        for key, value in detail.items():
            values = value if isinstance(value, list) else [value]
            fields[key] = [str(v) for v in values]
        general = fields.pop("non_field_errors", [])
        parts = [*general, *(f"{key}: {msgs[0]}" for key, msgs in fields.items() if msgs)]
        return "; ".join(parts), fields
    if isinstance(detail, list):
        return "; ".join(str(d) for d in detail), {}
    return str(detail), {}


def exception_handler(exc, context):
    """Render every failure as {"message": ..., "fields": {...}}."""
    if isinstance(exc, DjangoValidationError):
        exc = error_from_validation(exc)
    if isinstance(exc, ApplicationError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    # exc.detail, not response.data, which wraps a plain message as {"detail": ...}.
    message, fields = _flatten(exc.detail)
    response.data = {"message": message, "fields": fields}
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 handler: a URL under /api/ that matches no endpoint (say /api/.../0.5/) answers in
    the error shape; pages keep the 404 page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"message": str(exceptions.NotFound.default_detail), "fields": {}}, status=404)
    return page_not_found(request, exception)
