import sys
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.signals import user_logged_in
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# What Django raises when the database cannot be reached, or drops the connection mid-request.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


class PageLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page requires login; the API answers 401/403 in its own error shape instead."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages speak Chinese unless the user chose English with the switch (kept in a cookie).

    The browser's Accept-Language is ignored for pages: office machines often carry an
    English system locale, and the office works in Chinese. API clients may still ask
    for English with Accept-Language.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


@receiver(got_request_exception, dispatch_uid="zonehr_database_outage")
def _note_database_outage(sender, request=None, **kwargs) -> None:
    """Django reports every unhandled exception here, before it turns it into a 500."""
    if request is not None and isinstance(sys.exception(), DATABASE_DOWN):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached, pages answer 503 "try again shortly" and the API its
    error shape with 503, instead of a stack trace or a bare 500. Nothing is cached: the first
    request after the database returns is served as usual on a new connection.

    Placed above the session middleware: a failure in any layer below (reading the session, the
    view, saving the session) arrives here as the 500 Django made of it, marked on the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(request, "database_unavailable", False):
            return response
        message = _("The database is unavailable at the moment, so nothing could be read or saved. Try again shortly.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"message": message, "fields": {}}, status=503)
        else:
            # No request context: the context processors would ask the database.
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


def _renewed_now(session) -> None:
    session[SlidingSessionMiddleware.KEY] = int(timezone.now().timestamp())


@receiver(user_logged_in)
def _note_login_renewal(sender, request=None, **kwargs) -> None:
    # The login saves the session with a fresh expiry already; the first request need not again.
    if request is not None and hasattr(request, "session"):
        _renewed_now(request.session)


class SlidingSessionMiddleware:
    """Renew a login's expiry on activity, at most once a minute: saving the session on every
    request (SESSION_SAVE_EVERY_REQUEST) would cost a database write and commit per request, most
    of them the live board's polls."""

    RENEW_AFTER_SECONDS = 60
    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        signed_in = session is not None and user is not None and user.is_authenticated
        if signed_in and timezone.now().timestamp() - session.get(self.KEY, 0) >= self.RENEW_AFTER_SECONDS:
            _renewed_now(session)  # marks the session modified, so it is saved with a new expiry
        return response
