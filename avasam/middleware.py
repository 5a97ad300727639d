"""Rules every page shares: text the database cannot store is refused up front; a signed-in user's pages are private."""

from __future__ import annotations

import codecs
import re
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control

# The supplier API validates its JSON itself and answers in its own documented error shape.
EXEMPT_PREFIXES = ("/api/",)

QUERY_PROBLEM = (
    "The address contains a character Avasam cannot accept (a NUL byte, or text that is not valid UTF-8). "
    "Check the link, or retype what you searched for, and try again."
)
FORM_PROBLEM = (
    "The form contains a character Avasam cannot accept (a NUL byte, or text that is not valid UTF-8), "
    "perhaps in something pasted into it. Go back, retype the value and send the form again."
)
FILE_PROBLEM = (
    "The file “{name}” is not UTF-8 text: it contains a NUL byte or characters that are not valid UTF-8. "
    "Save it as “CSV UTF-8” in your spreadsheet and upload it again."
)
# Multipart fields reach us already decoded, with each invalid UTF-8 sequence replaced by U+FFFD.
_UNREADABLE = re.compile("[\x00\ufffd\ud800-\udfff]")


def _bytes_of(text: str) -> bytes:
    """The raw bytes of a WSGI string (servers hand them over as Latin-1)."""
    try:
        return text.encode("iso-8859-1")
    except UnicodeEncodeError:  # already decoded by whoever built the request
        return text.encode("utf-8", "surrogatepass")


def _is_unreadable(raw: bytes) -> bool:
    if b"\x00" in raw:
        return True
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:  # includes encoded lone surrogates, which UTF-8 forbids
        return True
    return False


def _form_encoded_is_unreadable(raw: bytes) -> bool:
    """Whether any name or value of a query string or urlencoded body is unreadable once percent-decoded."""
    return any(
        _is_unreadable(unquote_to_bytes(part.replace(b"+", b" ")))
        for pair in raw.split(b"&")
        for part in pair.split(b"=", 1)
    )


def _file_is_unreadable(upload) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            if b"\x00" in chunk:
                return True
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return True
    finally:
        upload.seek(0)
    return False


def request_text_problem(request: HttpRequest) -> str | None:
    """Why the request's query, form or uploaded files cannot be accepted, as a sentence; None when they can."""
    if _form_encoded_is_unreadable(_bytes_of(request.META.get("QUERY_STRING", ""))):
        return QUERY_PROBLEM
    if request.method != "POST":
        return None
    if request.content_type == "application/x-www-form-urlencoded":
        return FORM_PROBLEM if _form_encoded_is_unreadable(request.body) else None
    if request.content_type == "multipart/form-data":
        fields = [text for name, values in request.POST.lists() for text in [name, *values]]
        if any(_UNREADABLE.search(text) for text in fields):
            return FORM_PROBLEM
        for upload in request.FILES.values():
            if _UNREADABLE.search(upload.name or "") or _file_is_unreadable(upload):
                return FILE_PROBLEM.format(name=upload.name)
    return None


class RejectUnreadableTextMiddleware:
    """Answers 400 with a sentence to any request carrying a NUL byte or text that is not valid UTF-8.

    PostgreSQL cannot store a NUL byte in text, and Django would silently replace invalid UTF-8; refusing
    such input here, once, means no form or view has to think about it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(EXEMPT_PREFIXES):
            problem = request_text_problem(request)
            if problem:
                return render(request, "400.html", {"problem": problem}, status=400)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """A signed-in user's pages are never kept by the browser's history cache or a shared proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
