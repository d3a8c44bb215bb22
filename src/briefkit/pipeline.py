"""The pipeline: load and validate, compose, parse, render, write, one brief at a time."""

from __future__ import annotations

import re
import string
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.briefs import load_brief
from briefkit.checks import limits_for
from briefkit.compose import Composed, Composer, Job
from briefkit.document import parse
from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean
from briefkit.languages import Language
from briefkit.library import Library, load_library
from briefkit.model import Brief, Committee, Country
from briefkit.output import OutputNameError, check_pattern, output_stem
from briefkit.profiles import load_committee, load_conference, load_country, localized_committee, localized_country
from briefkit.render.markdown import render_markdown
from briefkit.render.settings import RenderSettings, from_composed, image_path
from briefkit.tree import Document, blocks_with_text, image_sources
from briefkit.typography import curl_document, curl_text
from briefkit.workspace import Workspace

FILENAME_FIELDS = ("brief", "committee", "committee_short", "country", "country_name", "school", "kind",
                   "conference", "topic", "topic_number")
Renderer = Callable[[Composed, Document, RenderSettings], bytes]


def _markdown(composed: Composed, tree: Document, settings: RenderSettings) -> bytes:
    meta = {key: curl_text(value, settings.marks) if isinstance(value, str) else value
            for key, value in front_matter(composed).items()}
    return render_markdown(tree, meta, settings.scheme if settings.kind == "resolution" else None)


def _docx(composed: Composed, tree: Document, settings: RenderSettings) -> bytes:
    from briefkit.render.docx import write_docx  # python-docx is only imported when DOCX is asked for

    return write_docx(tree, settings)


def _text(composed: Composed, tree: Document, settings: RenderSettings) -> bytes:
    from briefkit.render.text import render_text  # each writer is imported when its format is asked for

    return render_text(tree, settings.scheme, settings.notes_heading)


def _html(composed: Composed, tree: Document, settings: RenderSettings) -> bytes:
    from briefkit.render.html import write_html

    return write_html(tree, settings)


RENDERERS: dict[str, Renderer] = {"md": _markdown, "docx": _docx, "txt": _text, "html": _html}


@dataclass
class Session:
    """A workspace with its library loaded once, ready to compose any number of briefs."""

    ws: Workspace
    problems: Problems
    keep_compiled: bool = False  # keep compiled templates between runs (compose.bytecode_cache)
    memo: dict[str, Any] = field(default_factory=dict)  # formatted citations (citations.apply_citations)
    library: Library = field(init=False)
    composer: Composer = field(init=False)
    profiles: dict[tuple[str, str], Any] = field(init=False, default_factory=dict)  # conferences, committees read
    _country_snippets: set[str] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.library = load_library(self.ws, self.problems)
        self.composer = Composer(self.ws, self.library, self.keep_compiled, self.memo)

    def use_library(self, library: Library) -> None:
        """Compose with this library from now on (`briefkit serve`, after a snippet's body was edited): a new
        composer, as Jinja keeps a compiled snippet as long as its environment lives."""
        self.library = library
        self.composer = Composer(self.ws, library, self.keep_compiled, self.memo)

    def jobs(self, brief: Brief, committee_filter: str | None, problems: Problems) -> list[Job]:
        """Resolve a brief's conference, countries and committees into one job per output."""
        conference = self._profile(load_conference, brief.conference, brief.path, brief.line_of("conference"))
        _check_filename(conference.filename, conference.path)
        countries = self._countries(brief, problems)
        line = brief.line_of("committees") or brief.line_of("committee")
        local = Problems()
        committees = []
        ids = (tuple(self.ws.names("templates/committees", ".yaml")) if brief.committees == ("all",)
               else brief.committees)
        for committee_id in ids:
            try:
                committees.append(self._profile(load_committee, committee_id, brief.path, line))
            except BriefkitError as err:
                local.extend(err.problems)
        self.check_brief_references(brief, local)
        local.raise_errors()
        if committee_filter:
            committees = [c for c in committees if c.id == committee_filter]
        language = self.composer.language(brief.language)
        named = [localized_committee(c, language) for c in committees]
        self._report_language(brief, language, [c for c, (_, found) in zip(committees, named, strict=True)
                                                if not found], problems)
        committees = [committee for committee, _ in named]
        countries = [localized_country(c, language) for c in countries]
        per_topic = (conference.paper_per == "topic" or brief.kind == "resolution") and len(brief.topics) > 1
        indexes: list[int | None] = list(range(len(brief.topics))) if per_topic else [None]
        return [Job(brief, committee, conference, country, index)
                for country in countries for committee in committees for index in indexes]

    def _report_language(self, brief: Brief, language: Language, unnamed: list[Committee],
                         problems: Problems) -> None:
        """One warning a run for what a brief's language lacks: its data file, some strings, the names of the
        committees in `unnamed`."""
        line = brief.line_of("language")
        where = brief.path if line else (self.ws.settings.path or brief.path)
        line = line or self.ws.settings.lines.get("language")
        if not language.known and not language.english:
            problems.warn(where, line, f"no language data for '{language.tag}': briefkit's own words (titles, "
                          "labels, headings) are in English",
                          f"add templates/languages/{language.base}.yaml (docs/languages.md)",
                          once=f"language:{language.tag}")
        elif language.missing:
            shown = ", ".join(language.missing[:8]) + (f" and {len(language.missing) - 8} more"
                                                        if len(language.missing) > 8 else "")
            problems.warn(language.files[0], None, f"{len(language.missing)} string"
                          f"{'s' if len(language.missing) > 1 else ''} not translated into '{language.tag}', "
                          f"English used: {shown}", "add them to the file (en.yaml lists every key)",
                          once=f"language-missing:{language.tag}")
        for path, message, hint in language.unknown:
            problems.warn(path, None, message, hint, once=f"language-unknown:{path}:{message}")
        for committee in unnamed:
            problems.warn(committee.path, None, f"committee '{committee.id}' has no names in '{language.tag}': "
                          "its English name and organ line are used",
                          f"add translations: {{{language.base}: {{name: ..., organ_line: ...}}}} to it",
                          once=f"committee-language:{committee.id}:{language.tag}")

    def _profile(self, load: Callable[[Workspace, str, Path, int | None], Any], name: str, at: Path,
                 line: int | None) -> Any:
        """A conference or committee profile read once per run (a failure is not kept: its message names the
        brief that asked)."""
        if (load.__name__, name) not in self.profiles:
            self.profiles[load.__name__, name] = load(self.ws, name, at, line)
        return self.profiles[load.__name__, name]

    def _countries(self, brief: Brief, problems: Problems) -> list[Country]:
        """The brief's countries; one warning a run for each the libraries know nothing of (no profile, no
        country snippet)."""
        line = brief.line_of("countries") or brief.line_of("country")
        found, errors = [], Problems()
        for name in brief.countries:
            try:
                found.append(load_country(self.ws, name, brief.path, line, problems))
            except BriefkitError as err:
                errors.extend(err.problems)
        errors.raise_errors()
        bare = [c for c in found if c.path is None and not self._has_country_snippets(c.code)]
        if len(found) == 1 and bare:
            country = bare[0]
            problems.warn(brief.path, line, f"no country profile for {country.code} ({country.short_name}): the "
                          "workspace's libraries have no country-specific content for it",
                          f"add snippets/countries/{country.code.lower()}.yaml or snippets with "
                          f"'when: {{country: [{country.code}]}}'", once=f"country:{country.code}")
        elif bare:
            codes = [c.code for c in bare]
            shown = ", ".join(codes[:5]) + (f" and {len(codes) - 5} more" if len(codes) > 5 else "")
            problems.warn(brief.path, line, f"no country profile for {shown}: the workspace's libraries have no "
                          "country-specific content for them", once="countries:" + ",".join(codes))
        return found

    def _has_country_snippets(self, code: str) -> bool:
        """Whether the libraries have something for this country (`when: {country: [...]}` snippets), or nothing
        country-specific for any country (then there is nothing to miss, and nothing to warn about)."""
        if self._country_snippets is None:
            self._country_snippets = {c.upper() for s in self.library.snippets.values()
                                      for c in s.when.get("country", ())}
            if not self._country_snippets and not self.ws.names("snippets/countries", ".yaml"):
                self._country_snippets = {"*"}
        return code.upper() in self._country_snippets or "*" in self._country_snippets

    def check_brief_references(self, brief: Brief, problems: Problems) -> None:
        """Every snippet a brief names explicitly must exist (and be allowed in it)."""
        broken = False
        for topic in brief.topics:
            for section in topic.sections:
                for snippet_id in section.use:
                    snippet = self.library.snippet(snippet_id)
                    line = section.line or brief.line_of("topics")
                    if snippet_id in self.library.broken:
                        broken = True  # its own error is already reported, at the snippet's file and line
                    elif snippet is None:
                        problems.error(brief.path, line, f"unknown snippet '{snippet_id}'",
                                       did_you_mean(snippet_id, self.library.snippets))
                    elif snippet.internal and not brief.internal:
                        problems.error(brief.path, line, f"snippet '{snippet_id}' is an internal preparation "
                                       "note", "set 'internal: true' in the brief to include it")
        for key in brief.facts:
            if key not in self.library.facts:
                problems.error(brief.path, brief.line_of("facts"), f"unknown fact '{key}'",
                               did_you_mean(key, self.library.facts))
        for snippet_id in brief.clauses.use:
            if self.library.snippet(snippet_id) is None and snippet_id not in self.library.broken:
                problems.error(brief.path, brief.line_of("clauses"), f"unknown snippet '{snippet_id}'",
                               did_you_mean(snippet_id, self.library.snippets))
        if broken:
            raise BriefkitError(problems.errors)


def _check_filename(pattern: str, path: Path) -> None:
    try:
        check_pattern(pattern)
    except OutputNameError as err:
        raise BriefkitError([Problem(path, None, str(err))]) from err
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(pattern)
                  if name is not None]
    except ValueError as err:
        raise BriefkitError([Problem(path, None, f"bad file-name pattern '{pattern}': {err}")]) from err
    if any(spec or conversion for _, spec, conversion in fields):
        raise BriefkitError([Problem(path, None, f"file-name pattern '{pattern}' formats a field ('{{name:...}}' or "
                                     "'{name!r}'); a pattern only names fields, like '{brief}-{committee}'")])
    names = [name for name, _, _ in fields]
    for name in names:
        if name not in FILENAME_FIELDS:
            hint = did_you_mean(name, FILENAME_FIELDS) or "known: " + ", ".join(FILENAME_FIELDS)
            raise BriefkitError([Problem(path, None, f"unknown field '{{{name}}}' in file-name pattern", hint)])


def front_matter(composed: Composed) -> dict[str, object]:
    """The metadata every output carries: title, country, committee, conference, date."""
    job = composed.job
    meta: dict[str, object] = {
        "title": composed.title, "country": job.country.name, "committee": job.committee.name,
        "conference": job.conference.name, "kind": job.brief.kind,
    }
    if job.brief.school and "school" in job.conference.header_fields:
        meta["school"] = job.brief.school
    if job.brief.delegates and job.conference.names_allowed:
        meta["delegates"] = list(job.brief.delegates)
    if job.brief.date:
        meta["date"] = job.brief.date.isoformat()
    meta["lang"] = job.brief.language
    if job.brief.internal:
        meta["internal"] = True  # preparation notes, never submitted
    return meta


def compose_brief(session: Session, path: Path, committee: str | None, problems: Problems,
                  stage: Stage | None = None) -> list[Composed]:
    """Load one brief and compose all its outputs; raises BriefkitError if any part fails."""
    stage = stage or Stage()
    brief = load_brief(path, session.ws.settings)
    local = Problems()
    stage.name = "reading its country, committee and conference"
    jobs = session.jobs(brief, committee, local)
    composed = []
    for job in jobs:
        stage.name = f"composing {job.name}"
        composed.append(session.composer.compose(job))
    problems.extend(local.items)
    for item in composed:
        problems.extend(item.warnings)
    return composed


@dataclass
class Rendered:
    """One composed output, rendered into every format it is built in, not yet written."""

    composed: Composed
    stem: str
    files: dict[str, bytes]
    pdf: bool  # a PDF is wanted
    docx: bytes | None = None  # the Word document, also when only the PDF or a page count needs it
    images: tuple[str, ...] = ()  # the pictures its outputs embed (the build cache keys on them)

    @property
    def needs_pdf(self) -> bool:
        """A PDF is made when one is wanted or the conference limits this kind's pages."""
        return self.pdf or bool(limits_for(self.composed).pages)


@dataclass
class BriefResult:
    """One brief rendered in memory (or failed), with its own problems, ready to be written."""

    path: Path
    items: list[Rendered] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    snippets: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # other files its outputs embed (images), for the cache key
    failed: bool = False
    memo: list[tuple[str, Any]] = field(default_factory=list)  # citations a worker formatted, for the parent


@dataclass
class Stage:
    """Where a brief's build is, for the message if something unexpected goes wrong."""

    name: str = "loading the brief"


def build_brief(session: Session, path: Path, committee: str | None, formats: tuple[str, ...] | None,
                debug: bool = False) -> BriefResult:
    """Build one brief in memory: load, compose, parse, render. Returns its outputs, its problems and the
    citations it added to the session's memo; whatever goes wrong is this brief's located problem, never an
    exception (`debug`: the problem carries the traceback)."""
    problems = Problems()
    result = BriefResult(path)
    known = len(session.memo)
    stage = Stage()
    try:
        result.items = render_brief(session, path, committee, formats, problems, stage)
        result.snippets = sorted({s for item in result.items for s in item.composed.snippets})
        result.inputs = sorted({src for item in result.items for src in item.images})
    except BriefkitError as err:
        problems.extend(err.problems)
        result.failed = True
    except RecursionError:
        problems.error(path, None, f"nesting too deep while {stage.name}",
                       "a snippet that includes itself through others, or lists nested hundreds of levels deep?")
        result.failed = True
    except MemoryError:
        problems.error(path, None, f"out of memory while {stage.name}")
        result.failed = True
    except OSError as err:
        where = Path(err.filename) if isinstance(err.filename, str) else path
        problems.error(where, None, f"cannot read or write a file while {stage.name}: {err.strerror or err}")
        result.failed = True
    except Exception as err:  # noqa: BLE001 - the error boundary of one brief: the others still build
        hint = "run with --debug for a traceback"
        if debug:
            hint = "traceback:\n" + traceback.format_exc()
        problems.error(path, None, f"internal error while {stage.name}: {type(err).__name__}: {err}", hint)
        result.failed = True
    result.problems = list(problems.items)
    result.memo = list(session.memo.items())[known:]
    return result


def lost(path: Path, reason: str) -> BriefResult:
    """The result of a brief whose worker process died while building it."""
    result = BriefResult(path, failed=True)
    result.problems = [Problem(path, None, f"the worker process building this brief died: {reason}",
                               "the other briefs were built; try this one alone with --jobs 1")]
    return result


def render_all(session: Session, paths: list[Path], committee: str | None, formats: tuple[str, ...] | None,
               jobs: int, progress: Callable[[int, int, str], None] | None, debug: bool = False
               ) -> Iterator[BriefResult]:
    """Build briefs, in forked worker processes when there are several and `jobs` > 1; each result in order, as
    soon as it and those before it are ready."""
    from briefkit import workers

    def build(path: Path) -> BriefResult:
        return build_brief(session, path, committee, formats, debug)

    done = 0

    def report(result: BriefResult) -> BriefResult:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(paths), result.path.stem)
        return result

    if jobs <= 1 or len(paths) <= 1 or not workers.available():
        for path in paths:
            yield report(build(path))
        return
    # The first brief is built here, so the workers fork from a warm process: renderers imported, parser
    # built, reference document read, templates compiled, once rather than once a worker.
    yield report(build(paths[0]))
    rest = paths[1:]
    waiting: dict[int, BriefResult] = {}
    following = 0
    for index, result in workers.Pool(rest, build, min(jobs, len(rest)), lost).results():
        session.memo.update(result.memo)
        waiting[index] = report(result)
        while following in waiting:
            yield waiting.pop(following)
            following += 1


def make_pdfs(items: list[Rendered], problems: Problems) -> dict[str, bytes]:
    """PDFs of the outputs that want one or have a page limit (job name -> PDF), in one soffice run.

    Without LibreOffice, one error if PDFs were asked for (page limits fall back to an estimate); the
    other formats are built regardless.
    """
    wanted = {item.composed.job.name: item.docx for item in items if item.needs_pdf and item.docx is not None}
    if not wanted:
        return {}
    from briefkit.pdf import PdfUnavailable, convert  # LibreOffice's driver, only when a PDF is wanted

    try:
        return convert(wanted)
    except PdfUnavailable as err:
        if any(item.pdf for item in items):
            problems.error(None, None, f"no PDF made: {err}")
        return {}


def render_brief(session: Session, path: Path, committee: str | None, formats: tuple[str, ...] | None,
                 problems: Problems, stage: Stage | None = None) -> list[Rendered]:
    """Compose one brief and render each of its outputs in memory; raises BriefkitError on any failure."""
    stage = stage or Stage()
    outputs = []
    for composed in compose_brief(session, path, committee, problems, stage):
        wanted = formats or composed.job.brief.formats or composed.job.conference.formats
        stage.name = f"parsing the composed text of {composed.job.name}"
        tree = parse(composed.markdown, composed.source, path)  # parsed once; renderers only read it
        if _FULL_WIDTH.search(composed.markdown) and STRANDED_EMPHASIS.search(composed.markdown):
            _report_stranded_emphasis(tree, path, problems)
        settings = from_composed(composed, session.ws)
        tree = curl_document(tree, settings.marks)  # the language's quotation marks, in every format
        files = {}
        for fmt in wanted:
            if fmt != "pdf":
                stage.name = f"writing {composed.job.name} as {fmt}"
                files[fmt] = RENDERERS[fmt](composed, tree, settings)
        stage.name = f"naming the files of {composed.job.name}"
        try:
            stem = output_stem(composed.job)
        except OutputNameError as err:
            conference = composed.job.conference
            raise BriefkitError([Problem(path, composed.job.brief.line_of("conference") or None, str(err),
                                         f"the pattern is 'filename' in {conference.path.name}")]) from err
        images = tuple(name for name in map(image_path, image_sources(tree)) if name is not None)  # files, decoded
        item = Rendered(composed, stem, files, "pdf" in wanted, files.get("docx"), images)
        if item.docx is None and item.needs_pdf:
            stage.name = f"writing {composed.job.name} as docx for its PDF"
            item.docx = _docx(composed, tree, settings)
        if item.docx is not None and settings.reference is not None:
            _report_dropped(settings.reference, problems)
        outputs.append(item)
    return outputs


# Asterisks a letter and full-width punctuation enclose: CJK text has no spaces, and Markdown (CommonMark, as
# GitHub) opens emphasis only after a space or punctuation and closes it only before one, so `重申**《公约》**的`
# keeps its asterisks as text
_OPENING, _CLOSING = "《「『（“‘〈【〔", "》」』）”’〉】〕。，、；：！？"
_FULL_WIDTH = re.compile("[《「『（〈【〔》」』）〉】〕。，、；：！？]")  # a text with none needs no closer look
STRANDED_EMPHASIS = re.compile(rf"(?<=[^\W\d_])\*+(?=[{_OPENING}])|(?<=[{_CLOSING}])\*+(?=[^\W\d_])")


def _report_stranded_emphasis(tree: Document, brief: Path, problems: Problems) -> None:
    """Emphasis marks that print as typed, said at their snippet's line (only asterisks left in the parsed text:
    a mark that did open or close emphasis is gone)."""
    for line, text in blocks_with_text(tree):
        match = STRANDED_EMPHASIS.search(text)
        if match:
            found, at = tree.locate(line)
            where, where_line = (found, at) if found is not None else (brief, None)
            before, after = text[max(match.start() - 1, 0)], text[match.end():match.end() + 1]
            problems.warn(where, where_line, f"'{match.group()}' between '{before}' and '{after}' prints as typed: "
                          "Markdown does not open or close emphasis between a letter and this punctuation",
                          "put the marks inside the punctuation, as in 《**公约**》",
                          once=f"stranded:{where}:{where_line}")


def _report_dropped(reference: Path, problems: Problems) -> None:
    """One warning a run for what the reference document had that a Word document does not need (macros...)."""
    from briefkit.render.package import load_reference

    dropped = load_reference(reference).dropped
    if dropped:
        shown = "; ".join(dropped[:5]) + (f" and {len(dropped) - 5} more" if len(dropped) > 5 else "")
        problems.warn(reference, None, f"left out of every brief: {shown}", "a reference document needs only "
                      "styles, a theme, settings and fonts; save it again from Word without macros or links",
                      once=f"reference:{reference}")
