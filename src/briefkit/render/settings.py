"""What a writer needs to know besides the document tree: paper, fonts, labels, list scheme, language.

Writers take these plain values, never the composer's objects, so importing a writer imports no Jinja.
`from_composed` is the one place that reads a composed brief into settings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from briefkit.errors import BriefkitError, Problem
from briefkit.tree import Document
from briefkit.typography import Marks, curl_text, marks_for
from briefkit.workspace import ASSET_NAME, Layer

if TYPE_CHECKING:
    from briefkit.compose import Composed
    from briefkit.workspace import Workspace


@dataclass(frozen=True)
class RenderSettings:
    """Everything about a brief's outputs that is not its text."""

    title: str = ""
    language: str = "en"
    kind: str = "position-paper"
    # ordered lists' labels by level: document.list_scheme(kind); a resolution's from its language's phrase file
    scheme: tuple[tuple[str, str], ...] = (("decimal", "{n}."),)
    paper: str = "letter"
    margins: tuple[float, float, float, float] = (2.54, 2.54, 2.54, 2.54)  # cm: top, bottom, left, right
    font: str = "Times New Roman"
    east_asian_font: str = ""  # the language's or the conference's (languages/<tag>.yaml fonts)
    font_size: float = 12
    font_size_range: tuple[float, float] | None = None
    line_spacing: float = 1.0
    header: str = ""  # with {country}, {committee}, {school}, {conference}, {title}
    footer: str = ""  # also {page} and {pages}
    fields: tuple[tuple[str, str], ...] = ()  # values of the header and footer fields
    author: str = ""  # document properties
    delegation: str = ""
    subject: str = ""  # the committee's name
    keywords: str = ""
    date: dt.date | None = None
    layers: tuple[Layer, ...] = ()  # where images are read from
    reference: Path | None = None  # the Word reference document
    origin: Path | None = None  # the brief: where a problem is reported when its snippet is unknown
    internal: bool = False  # preparation notes: every page says so
    line_numbers: bool = False  # number the lines (of the text after the heading block), as THIMUN does a draft's
    marks: Marks | None = None  # the language's quotation marks (typography.py), None: text as typed
    # The brief's language (languages.py): its direction, the tag Word gets for text in each script (w:val for
    # Latin, w:eastAsia, w:bidi for complex scripts; '' : none given), the complex-script font, and the words
    # writers print themselves.
    direction: str = "ltr"
    lang_latin: str = "en-GB"
    lang_east_asian: str = ""
    lang_complex: str = ""
    complex_font: str = ""
    internal_mark: str = "Internal: not for submission"  # on every page of preparation notes
    notes_heading: str = "Notes"  # the text writer's heading over the notes; HTML's label of the notes section
    back_label: str = "back to the text"  # the title of a note's link back to its reference (HTML)

    def header_text(self) -> str:
        """The header with its fields filled in (a field with no value left out with its separator)."""
        values = dict(self.fields)
        return re.sub(r"\{\w+\}", "", fill(without_empty_fields(self.header, values), values))

    def problem(self, document: Document | None, line: int, message: str, hint: str | None = None) -> BriefkitError:
        """An error located at the snippet line a composed line came from (else the brief, naming the line)."""
        path, at = document.locate(line) if document is not None else (None, line)
        if path is None:
            return BriefkitError([Problem(self.origin, None, f"{message} (line {at} of the composed text)", hint)])
        return BriefkitError([Problem(path, at, message, hint)])


_SEPARATOR = r"\s*[|\u00b7\u2022,/\u2013\u2014-]\s*"


def without_empty_fields(text: str, values: dict[str, str]) -> str:
    """A header or footer without the fields whose value is empty, and the separator beside each ('{country} |
    {school}' with no school: '{country}')."""
    for name, value in values.items():
        if not value.strip():
            text = re.sub(rf"{_SEPARATOR}\{{{name}\}}|\{{{name}\}}{_SEPARATOR}|\{{{name}\}}", "", text, count=1)
    return text


def fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


# Letters of the right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation forms), which
# the writers set apart in a left-to-right text and mark in a right-to-left one
RTL_LETTERS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe"

MAX_IMAGE = 20 << 20
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif", b"GIF89a": "gif"}


MAX_PATH = 1024  # characters of a picture's path (its form: workspace.ASSET_NAME)


def image_path(src: str) -> str | None:
    """The workspace-relative file an image's `src` names, or None if it names none safely. The parser writes
    `src` as a URL, with %-escapes for spaces and non-ASCII letters (`my%20chart.png`); the file is the
    decoded name, as GitHub reads it."""
    if _SCHEME.match(src):
        return None
    try:
        name = unquote(src, errors="strict")
    except UnicodeDecodeError:
        return None
    if len(name) > MAX_PATH or not ASSET_NAME.fullmatch(name):
        return None
    return name


def image_file(settings: RenderSettings, document: Document | None, src: str, line: int) -> tuple[Path, bytes, str]:
    """An image's file, bytes and type (png, jpeg, gif), read only from inside the layer it is found in.

    A missing, unreadable or non-image file, or one a link takes out of its layer, is a located error.
    """
    name = image_path(src)
    shown = src if name is None else name  # as the author typed it, not %-escaped
    if name is not None:
        for layer in settings.layers:
            path = layer.root / name
            try:
                if not path.is_file():
                    continue
            except OSError:  # a name the file system refuses (too long for it): not a file there
                continue
            if not layer.contains(path):
                raise settings.problem(document, line, f"image '{shown}' leads outside the {layer.name} folder",
                                       "copy the file into the folder instead of linking to it")
            try:
                if path.stat().st_size > MAX_IMAGE:
                    raise settings.problem(document, line, f"image '{shown}' is {path.stat().st_size:,} bytes; a "
                                           f"picture in a brief may have {MAX_IMAGE:,} at most", "make it smaller")
                data = path.read_bytes()
            except OSError as err:
                raise settings.problem(document, line, f"cannot read image '{shown}': {err.strerror}") from None
            kind = next((k for sig, k in IMAGE_SIGNATURES.items() if data.startswith(sig)), None)
            if kind is None:
                raise settings.problem(document, line, f"'{shown}' is not a PNG, JPEG or GIF image")
            if not _whole(kind, data):
                raise settings.problem(document, line, f"image '{shown}' is damaged (cut short or not a whole "
                                       f"{kind.upper()} file)", "save the picture again")
            return path, data, kind
    if _SCHEME.match(src):
        raise settings.problem(document, line, f"image '{src}' is not a file in the workspace: briefkit loads "
                               "nothing from the network", "save the picture in the workspace and give its path")
    raise settings.problem(document, line, f"image '{shown}' not found in the workspace",
                           "give a path relative to the workspace folder")


def _whole(kind: str, data: bytes) -> bool:
    """Whether a picture has the structure of a whole file of its kind (header with a size, and its end)."""
    if kind == "png":
        return (len(data) > 33 and data[12:16] == b"IHDR" and int.from_bytes(data[16:20], "big") > 0
                and int.from_bytes(data[20:24], "big") > 0 and b"IEND" in data[-12:])
    if kind == "jpeg":
        return data.rstrip(b"\0").endswith(b"\xff\xd9") and len(data) > 4
    return len(data) > 13 and data.rstrip(b"\0").endswith(b";")  # GIF: header, screen descriptor, trailer


# A kind's running head where the conference names none for it: a draft resolution belongs to the committee
# and its sponsors, not to the one delegation that built it.
KIND_HEADERS = {"resolution": "{committee} | {title}"}


def from_composed(composed: Composed, ws: Workspace) -> RenderSettings:
    """The render settings of a composed brief."""
    from briefkit.document import list_scheme
    from briefkit.languages import in_language, load_language

    job = composed.job
    conference, brief = job.conference, job.brief
    language = composed.language or load_language(ws, brief.language)
    marks = marks_for(ws.find("templates", "typography", ".yaml"), brief.language)
    m = conference.margins
    fields = {"country": job.country.short_name, "committee": job.committee.short_name, "school": brief.school,
              "conference": conference.name, "title": composed.title}
    footer = conference.footer
    if isinstance(footer, Mapping):  # one per language
        footer = in_language(footer, brief.language) or ""
    footer = footer or language.text("page.number_of" if conference.page_x_of_y else "page.number")
    header = conference.headers.get(brief.kind)
    if header is None:
        header = KIND_HEADERS.get(brief.kind, conference.header) if conference.header else ""
    author = ", ".join(brief.delegates) if brief.delegates and conference.names_allowed else job.country.delegation
    reading = composed.spoken_words is not None  # a reading copy (a speech): type to read aloud at a lectern
    size, spacing, size_range = ((conference.reading_font_size, conference.reading_line_spacing, None) if reading
                                 else (conference.font_size, conference.line_spacing, conference.font_size_range))
    return RenderSettings(
        title=curl_text(composed.title, marks), language=brief.language, kind=brief.kind,
        scheme=composed.clause_scheme or list_scheme(brief.kind), paper=conference.paper,
        margins=(m.top, m.bottom, m.left, m.right),
        font=conference.font or language.fonts.get("latin", ""), font_size=size,
        east_asian_font=conference.east_asian_font or language.fonts.get("east_asian", ""),
        complex_font=conference.complex_font or language.fonts.get("complex", ""),
        direction=language.direction, lang_latin=language.word_latin, lang_east_asian=language.word_east_asian,
        lang_complex=language.word_complex, internal_mark=language.text("internal"),
        notes_heading=language.text("references.notes"), back_label=language.text("references.back"),
        font_size_range=size_range, line_spacing=spacing, header=header,
        footer=footer, fields=tuple((k, curl_text(v, marks)) for k, v in fields.items()),
        author=curl_text(author, marks), delegation=curl_text(job.country.delegation, marks),
        subject=curl_text(job.committee.name, marks), keywords=curl_text("; ".join(t.title for t in job.topics), marks),
        date=brief.date, layers=ws.asset_layers, reference=ws.find("templates/styles", "reference", ".docx"),
        origin=brief.path, internal=brief.internal, line_numbers=brief.kind in conference.line_numbers, marks=marks)
