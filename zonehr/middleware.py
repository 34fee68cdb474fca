from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
