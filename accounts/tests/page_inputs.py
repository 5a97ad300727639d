"""What a page lets a user send: its forms (fields and their current values) and the query strings of its links."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

IGNORED_INPUT_TYPES = {"submit", "button", "reset", "image"}


@dataclass
class PageForm:
    """A form as the browser would submit it: where to, how, and each field with the value it has on the page."""

    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> value sent when submitted unchanged
    optional: set[str] = field(default_factory=set)  # unticked checkboxes: sent only when ticked
    files: set[str] = field(default_factory=set)
    selects: set[str] = field(default_factory=set)

    @property
    def typed_fields(self) -> list[str]:
        """Fields a user types into (not a choice from a list)."""
        return [name for name in self.fields if name not in self.selects]


@dataclass
class PageInputs:
    forms: list[PageForm] = field(default_factory=list)
    links: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path, query) of links with a query


class _Parser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.inputs = PageInputs()
        self._form: PageForm | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "a" and "?" in attr.get("href", ""):
            parts = urlsplit(urljoin(self.page_url, attr["href"]))
            self.inputs.links.append((parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))))
        elif tag == "option" and self._select:
            if self._select_value is None or "selected" in attr:
                self._select_value = attr.get("value", "")
        elif tag == "form":
            action = urlsplit(urljoin(self.page_url, attr.get("action", ""))).path
            self._form = PageForm(action=action, method=attr.get("method", "get").lower())
            self.inputs.forms.append(self._form)
        elif self._form is None or not attr.get("name"):
            return
        elif tag == "input":
            self._input(attr)
        elif tag == "select":
            self._select, self._select_value = attr["name"], None
            self._form.selects.add(attr["name"])
        elif tag == "textarea":
            self._textarea = attr["name"]
            self._form.fields[attr["name"]] = ""

    def _input(self, attr: dict[str, str]) -> None:
        kind = attr.get("type", "text").lower()
        if kind in IGNORED_INPUT_TYPES:
            return
        if kind == "file":
            self._form.files.add(attr["name"])
        elif kind in ("checkbox", "radio") and "checked" not in attr:
            self._form.optional.add(attr["name"])
        else:
            self._form.fields[attr["name"]] = attr.get("value", "on" if kind == "checkbox" else "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None:
            self._form.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self._form is not None:
            self._form.fields[self._select] = self._select_value or ""
            self._select = None


def page_inputs(html: str, *, page_url: str) -> PageInputs:
    """The forms and query links of one HTML page (relative actions and links resolved against `page_url`)."""
    parser = _Parser(page_url)
    parser.feed(html)
    parser.close()
    return parser.inputs
