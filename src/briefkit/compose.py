"""Composition: snippets and a kind's template rendered, sandboxed, into one Markdown text."""

from __future__ import annotations

import datetime as dt
import functools
import re
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.loaders import split_template_path

from briefkit import __version__
from briefkit.api import NAMES, View, freeze, frozen_function
from briefkit.citations import apply_citations
from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean
from briefkit.languages import Language, in_language, load_language
from briefkit.library import CITATION, FACT_CALL, Library, cited_keys
from briefkit.measure import count_words, speaking_seconds
from briefkit.model import Brief, Committee, Conference, Country, Fact, Section, Snippet, Topic
from briefkit.profiles import country_short_name
from briefkit.sandbox import SANDBOX_VERSION, RenderLimit, Sandbox, check_text, finalize, limited
from briefkit.tree import SourceMap
from briefkit.workspace import Workspace
from briefkit.yamlio import XML_ILLEGAL, read_text

if TYPE_CHECKING:
    from briefkit.resolution import Phrases, Resolution

SNIPPET_PREFIX = "snippet:"
FUNCTIONS = ("fact", "snippet", "compose", "position", "asks", "key_facts", "resolution", "t", "label",
             "format_date", "format_number")
_FOOTNOTE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:", re.MULTILINE)
_LINK_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)([^\]]+)\]:[ \t]*\n?[ \t]*(<[^>\n]*>|\S+)", re.MULTILINE)
# A block that is not a paragraph (a citation cannot end it): heading, quote, table, fence, list, note or link
# definition, comment, thematic break, indented code; a block whose last line underlines it is a heading.
_NOT_PARAGRAPH = re.compile(r" {0,3}(?:[#>|`~]|[-*+](?:\s|$)|\d+[.)](?:\s|$)|\[[^\]]*\]:|<!--|$)| {4}|\t"
                            r"|(?s:.*\n) {0,3}(?:=+|-+) *$|(?: {0,3}([-*_])(?: *\1){2,} *)$")
# Code, where a note label is text: fenced blocks, then code spans (a run of backticks to the same run).
_CODE_TEXT = (r"^ {0,3}(?P<fence>`{3,}|~{3,})[^\n]*\n(?:.*\n)*? {0,3}(?P=fence)[`~]* *$"
              r"|(?P<ticks>`+)(?!`).+?(?<!`)(?P=ticks)(?!`)")
_CODE = re.compile(_CODE_TEXT, re.MULTILINE)
_CODE_OR_LABEL = re.compile(f"(?P<code>{_CODE_TEXT})|" + r"\[\^(?P<label>[^\]\s]+)\]", re.MULTILINE)
TIMING = "<!-- timing -->"  # a speech template marks where its timing line goes
DISCLOSURE = "<!-- disclosure -->"  # where a template puts the disclosure page a conference asks for
NOTES_ONLY = ("handout",)  # kinds that never carry a reference list under a note style
@dataclass(frozen=True)
class Job:
    """One output document: a brief for one committee."""

    brief: Brief
    committee: Committee
    conference: Conference
    country: Country
    topic_index: int | None = None  # set where the conference wants one paper per topic

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The agenda topics this output covers."""
        if self.topic_index is None:
            return self.brief.topics
        return (self.brief.topics[self.topic_index],)

    @property
    def name(self) -> str:
        country = f"-{self.country.code.lower()}" if len(self.brief.countries) > 1 else ""
        suffix = f"-{self.topic_index + 1}" if self.topic_index is not None and len(self.brief.topics) > 1 else ""
        return f"{self.brief.id}{country}-{self.committee.id}{suffix}"


@dataclass(frozen=True)
class Composed:
    """A composed brief: its Markdown body and what went into it."""

    job: Job
    title: str
    markdown: str
    snippets: tuple[str, ...]
    sources: tuple[str, ...]
    warnings: tuple[Problem, ...] = ()
    text_end: int | None = None  # where the reference list starts in `markdown`, if there is one
    spoken_words: int | None = None  # a speech's words after its timing line
    appendix_pages: int = 0  # pages at the end that page limits do not count (a disclosure page)
    source: SourceMap = field(default_factory=SourceMap)  # which snippet file and line each composed line is from
    language: Language | None = None  # the brief's language (its words, script, pace)
    clause_scheme: tuple[tuple[str, str], ...] | None = None  # a resolution's clause labels in its language

    @property
    def speaking_seconds(self) -> int | None:
        if self.spoken_words is None:
            return None
        return speaking_seconds(self.spoken_words, self.language.speaking_rate if self.language else None)

    @property
    def text(self) -> str:
        """The body with its notes, without the reference list."""
        return self.markdown[: self.text_end]


class _Lookup(Exception):
    """A bad name inside a template or snippet; located by the traceback when caught."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class _Loader(jinja2.BaseLoader):
    """Templates from the workspace's layers, and snippets as `snippet:<id>`; nothing else is reachable."""

    def __init__(self, ws: Workspace, library: Library):
        self.ws = ws
        self.library = library

    def get_source(self, environment: jinja2.Environment, name: str) -> tuple[str, str, Callable[[], bool]]:
        if name.startswith(SNIPPET_PREFIX):
            snippet = self.library.snippet_file(name[len(SNIPPET_PREFIX):])
            if snippet is None:
                raise jinja2.TemplateNotFound(name)
            # Blank lines stand in for the front matter, so Jinja's line numbers are the file's.
            return "\n" * (snippet.body_line - 1) + snippet.body, str(snippet.path), lambda: True
        pieces = split_template_path(name)  # refuses '..' and absolute names
        for layer in self.ws.template_layers:
            path = layer.root.joinpath(*pieces)
            if path.is_file():
                self.ws.check_inside(layer, path)  # a link out of the templates folder is refused
                return read_text(path), str(path), lambda: True
        raise jinja2.TemplateNotFound(name)


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates and snippets kept between runs, so a new process does not compile them again.

    They are kept where Jinja keeps them by default: a folder of the user's own in the temporary directory,
    which Jinja creates private and refuses if another user owns it. Never in the workspace: compiled code
    runs outside the sandbox, so a build folder that came with someone else's workspace must not supply
    it. Jinja checks each entry against its source's checksum (and its own and Python's versions).
    """

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        # Jinja keys compiled code by name and file only, but the sandbox's settings (finalize, intercepted
        # operators) shape the code: a new briefkit must not run code compiled for an older sandbox.
        return super().get_cache_key(f"briefkit {__version__} {SANDBOX_VERSION}\0{name}", filename)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass  # a full or read-only disk: they are compiled again next time


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The compiled-template cache, or None where no safe folder for it can be made."""
    try:
        return _BytecodeCache()
    except (OSError, RuntimeError):
        return None


def make_environment(ws: Workspace, library: Library, keep_compiled: bool = False) -> Sandbox:
    """The one sandboxed Jinja environment every template and snippet renders in (`keep_compiled`: with the
    compiled-template cache, for builds)."""
    return Sandbox(
        loader=_Loader(ws, library), undefined=jinja2.StrictUndefined, finalize=finalize,
        autoescape=False, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True, cache_size=4000,
        extensions=["jinja2.ext.do"], bytecode_cache=bytecode_cache() if keep_compiled else None,
    )


def applies(snippet: Snippet, job: Job) -> bool:
    """Whether a snippet's `when` conditions hold for this output."""
    actual = {"committee": job.committee.id, "country": job.country.code.lower(), "kind": job.brief.kind,
              "conference": job.conference.id}
    return all(actual[key] in {v.lower() if key == "country" else v for v in values}
               for key, values in snippet.when.items())


def select(library: Library, tags: Iterable[str], job: Job) -> list[Snippet]:
    """Snippets carrying all the tags that apply to this output, in a stable order."""
    wanted = set(tags)
    found = [s for s in library.snippets.values()
             if wanted <= set(s.tags) and applies(s, job) and (job.brief.internal or not s.internal)]
    return sorted(found, key=lambda s: (s.order, s.id))


@dataclass
class _Run:
    """The state of composing one job: which snippets are rendering, which were used."""

    composer: Composer
    job: Job
    problems: Problems
    stack: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)
    count: int = 0
    empty_defaults: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    pieces: list[tuple[str, Path, int]] = field(default_factory=list)  # each snippet's text, file, first line
    links: dict[str, tuple[str, str]] = field(default_factory=dict)  # link label -> its address, who defined it
    untranslated: list[str] = field(default_factory=list)  # snippets used with no variant in the brief's language
    clause_scheme: tuple[tuple[str, str], ...] | None = None  # a resolution's clause labels, from its phrase file
    context: dict[str, Any] = field(init=False)
    language: Language = field(init=False)

    def __post_init__(self) -> None:
        """The render context, the same for every template and snippet of this job."""
        job = self.job
        brief = job.brief
        self.language = self.composer.language(brief.language)
        self.context = {name: freeze(value) for name, value in brief.vars.items()}
        self.context.update(
            brief=freeze(brief), country=self.composer.view(job.country), committee=self.composer.view(job.committee),
            conference=self.composer.view(job.conference), kind=brief.kind, topics=freeze(job.topics),
            vars=freeze(brief.vars),
            title=self.composer.title(job), date=brief.date, language=self.composer.view(self.language),
            **{name: frozen_function(getattr(self, name)) for name in FUNCTIONS},
        )
        assert set(self.context) >= set(NAMES)  # the documented API is what templates get

    def lookup(self, snippet_id: str) -> Snippet:
        snippet = self.composer.library.snippet(snippet_id)
        if snippet is None:
            raise _Lookup(f"unknown snippet '{snippet_id}'", did_you_mean(snippet_id, self.composer.library.snippets))
        return self.localized(snippet)

    def localized(self, snippet: Snippet) -> Snippet:
        """The snippet in the brief's language: its variant (`name.zh.md`), else itself (noted as untranslated
        when the language differs from the one the snippet is written in)."""
        if snippet.language:
            return snippet
        variant = self.composer.library.variant(snippet, self.language.tag)
        if variant is not None:
            return variant
        if self.language.base != self.composer.snippet_language(snippet):
            self.untranslated.append(snippet.id)
        return snippet

    def select(self, tags: Iterable[str]) -> list[Snippet]:
        return [self.localized(s) for s in select(self.composer.library, tags, self.job)]

    def fact(self, key: str) -> str:
        found = self.composer.library.facts.get(key)
        if found is None:
            raise _Lookup(f"unknown fact '{key}'", did_you_mean(key, self.composer.library.facts))
        locator = f", {_locator_text(found.locator, self.language)}" if found.locator else ""
        return f"{self.fact_text(found)}[@{found.source}{locator}]"

    def fact_text(self, fact: Fact) -> str:
        """A figure as the brief's language writes it: 25 per cent, 25 %, 2760万; a text value's translation."""
        language = self.language
        if isinstance(fact.value, bool) or not isinstance(fact.value, (int, float)):
            return in_language(fact.values, language.tag) or str(fact.value)
        if language.english and fact.unit in (None, "number") and not fact.currency:
            return fact.text
        return language.value(fact.value, fact.unit, fact.currency)

    def t(self, key: str, **fields: Any) -> str:
        """One of briefkit's own words in the brief's language (languages/<tag>.yaml), its {fields} filled in."""
        try:
            return self.language.text(key, **fields)
        except KeyError:
            raise _Lookup(f"unknown string '{key}' (the keys are in templates/languages/en.yaml)",
                          did_you_mean(key, self.language.strings)) from None

    def label(self, key: str) -> str:
        """A label before its value, punctuated as the language does: '**Committee:** ', '**委员会**：'."""
        return self.t("punctuation.label", label=self.t(f"labels.{key}"))

    def format_date(self, value: dt.date | int) -> str:
        """A date (or a year) as the brief's language writes it: 15 November 2000, 2000年11月15日."""
        return self.language.year_or_date(value)

    def format_number(self, value: float, unit: str | None = None) -> str:
        """A number as the brief's language writes it: 1,234.5; 1 234,5; with unit 'percent': 25 per cent."""
        return self.language.value(value, unit)

    def snippet(self, snippet_id: str) -> str:
        return self.render_snippet(self.lookup(snippet_id))

    def render_snippet(self, snippet: Snippet) -> str:
        if snippet.id in self.stack:  # through snippet(), compose() or a tag selection
            raise _Lookup(f"snippet '{snippet.id}' includes itself: " + " -> ".join([*self.stack, snippet.id]))
        self.stack.append(snippet.id)
        try:
            text = self.composer.env.get_template(SNIPPET_PREFIX + (snippet.file_id or snippet.id)).render(self.context)
            check_text(text, f"snippet '{snippet.id}'")
        except (RenderLimit, BriefkitError, MemoryError):
            raise  # a limit stops the whole composition
        except Exception as err:  # noqa: BLE001 - reported at its line; the rest of the brief is still checked
            self.problems.items.append(_locate(err, self.job.brief.path, self.context))
            return ""
        finally:
            self.stack.pop()
        self.used.extend((snippet.id, snippet.file_id) if snippet.file_id else (snippet.id,))
        self.count += 1
        self._check_notes(snippet, text)
        leading = len(text) - len(text.lstrip("\n"))  # newlines the output starts with
        text = _own_notes(text.strip("\n").rstrip(), f"s{self.count}-")  # a first line's indent is code
        self._check_links(text, f"snippet '{snippet.id}'", snippet.path, snippet.body_line)
        text = _cite_front_matter(text, snippet.sources)
        # the loader pads the body with blank lines for its front matter: output line k is about file line k
        self.pieces.append((text, snippet.path, max(leading + 1, snippet.body_line)))
        return text

    def _check_links(self, text: str, who: str, path: Path, first_line: int) -> None:
        """Link labels are one namespace in a document, and the first definition wins: a second snippet defining
        `[r]:` with another address would send its links to the first one's, so that is said where it happens."""
        for match in _LINK_DEFINITION.finditer(_CODE.sub(lambda m: " " * len(m.group()), text)):
            label, address = " ".join(match.group(1).casefold().split()), match.group(2).strip("<>")
            first = self.links.setdefault(label, (address, who))
            if first[0] != address:
                line = first_line + text.count("\n", 0, match.start())
                self.problems.warn(path, line, f"link label [{match.group(1)}] is already defined by {first[1]} as "
                                   f"{first[0]}: in one document the first definition wins, so links here go there",
                                   "give this link a label of its own")

    def _check_notes(self, snippet: Snippet, text: str) -> None:
        """A note mark with no note would print as typed, and a note nobody marks would vanish: both are said."""
        text = _CODE.sub(lambda m: " " * len(m.group()), text)  # in code, `[^1]` is text
        defined = {m.group(1) for m in _NOTE_DEFINITION.finditer(text)}
        marked = {m.group(1) for m in _FOOTNOTE_LABEL.finditer(text)
                  if not text.startswith(":", m.end()) or m.group(1) not in defined}
        body = snippet.body.split("\n")

        def line_of(label: str) -> int:
            return next((snippet.body_line + i for i, line in enumerate(body) if f"[^{label}]" in line),
                        snippet.body_line)

        for label in sorted(marked - defined):
            self.problems.warn(snippet.path, line_of(label), f"note [^{label}] has no text: it prints as typed",
                               f"add a line '[^{label}]: the note's text' to the snippet")
        for label in sorted(defined - marked):
            self.problems.warn(snippet.path, line_of(label), f"note [^{label}] is never marked in the text, so it "
                               "is left out", f"put [^{label}] where the note belongs, or delete the note")

    def render_text(self, text: str) -> str:
        """A short text from the brief (a summary line, an ask), rendered with the context."""
        return self.composer.template_of(text).render(self.context).strip()

    def summaries(self, tags: Iterable[str], topic: Topic | None, limit: int | None, what: str) -> list[str]:
        """The `summary` lines of the snippets a tag selection finds; a line stating a figure cites its sources.
        None found: `what` is reported as a default section left out (the templates print no empty heading)."""
        found: list[str] = []
        all_tags = (*tags, *(topic.tags if topic else ()))
        for base in select(self.composer.library, all_tags, self.job):
            if limit is not None and len(found) >= limit:
                break
            if not base.summary:
                continue
            snippet = self.localized(base)  # only what is printed is reported untranslated
            self.stack.append(snippet.id)
            try:
                text = self.render_text(snippet.summary)
            finally:
                self.stack.pop()
            self.used.extend((snippet.id, snippet.file_id) if snippet.file_id else (snippet.id,))
            found.append(_cite_front_matter(text, snippet.sources) if re.search(r"\d", text) else text)
        if not found:
            self.empty_defaults.append((what, all_tags))
        return found

    def position(self, topic: Topic | None = None, tags: Iterable[str] = ("country",), limit: int = 3) -> list[str]:
        """The position in a few lines: the brief's `summary`, else the summaries of the tagged snippets."""
        if self.job.brief.summary:
            return [self.render_text(line) for line in self.job.brief.summary]
        return self.summaries(tags, topic, limit, "the position ('summary')")

    def asks(self, topic: Topic | None = None, tags: Iterable[str] = ("recommendation",),
             limit: int | None = None) -> list[str]:
        """What the delegation asks for: the brief's `asks`, else the summaries of the tagged snippets."""
        if self.job.brief.asks:
            return [self.render_text(line) for line in self.job.brief.asks]
        return self.summaries(tags, topic, limit, "the asks ('asks')")

    def key_facts(self, topic: Topic | None = None, groups: Iterable[Iterable[str]] = (("context",),),
                  limit: int = 6) -> list[KeyFact]:
        """Key figures, each cited: the brief's `facts`, else labelled facts the snippets of each tag group state."""
        library = self.composer.library
        keys: list[str] = list(self.job.brief.facts)
        if not keys:
            for tags in groups:
                for snippet in select(library, (*tags, *(topic.tags if topic else ())), self.job):
                    keys.extend(FACT_CALL.findall(snippet.summary + "\n" + snippet.body))
            keys = [k for k in dict.fromkeys(keys) if k in library.facts and library.facts[k].label][:limit]
            if not keys:
                self.empty_defaults.append(("the key facts ('facts')", tuple(t for g in groups for t in g)))
        rows = []
        for key in keys:
            found = library.facts[key]
            label = in_language(found.labels, self.language.tag) or found.label or key
            rows.append(KeyFact(label, self.fact(key), self.language.year_or_date(found.as_of)))
        return rows

    def resolution(self, groups: Iterable[Iterable[str]] = (("instrument",), ("institution",), ("recommendation",))
                   ) -> Resolution:
        """The clauses of a draft resolution: the clause banks of the chosen snippets, then the brief's own."""
        job, brief = self.job, self.job.brief
        choice = brief.clauses
        topic_tags = job.topics[0].tags if job.topics else ()
        chosen: dict[str, Snippet] = {}
        if choice.tags is not None:
            groups = [choice.tags]
        elif choice.named:
            groups = []  # the brief picked its snippets by name (`use: []`: none, only its own clauses)
        for tags in groups:
            if tags:
                chosen.update((s.id, s) for s in select(self.composer.library, (*tags, *topic_tags), job))
        for snippet_id in choice.use:
            snippet = self.lookup(snippet_id)
            if applies(snippet, job):
                chosen[snippet_id] = snippet
        chosen = {k: self.localized(s) for k, s in chosen.items() if s.preambular or s.operative}  # only banks
        self.used.extend(i for s in chosen.values() for i in (s.id, s.file_id) if i)
        from briefkit.resolution import Resolution, ResolutionBuilder  # only drafts need the clause rules

        phrases = self.composer.phrases(brief.language)
        self.clause_scheme = phrases.numbering
        builder = ResolutionBuilder(phrases, job.committee, self.problems, brief.path)
        preambular = [c for s in chosen.values() for c in s.preambular] + list(choice.preambular)
        operative = [c for s in chosen.values() for c in s.operative] + list(choice.operative)
        if not operative:
            self.problems.error(brief.path, brief.line_of("clauses") or brief.line_of("kind"),
                                "the resolution has no operative clause",
                                "add clauses: {operative: [...]} or pick snippets with a clause bank by tag")
        names = self.composer.country_names
        return Resolution(builder.preambular(preambular), builder.operative(operative),
                          names(brief.sponsors or (job.country.code,), brief, "sponsors", self.problems, self.language),
                          names(brief.signatories, brief, "signatories", self.problems, self.language))

    def compose(self, section: Section | Mapping[str, Any], topic: Topic | None = None) -> str:
        """The Markdown of one section: its text, its `use` snippets, then its tag selection."""
        from_brief = isinstance(section, Section)
        section = section if isinstance(section, Section) else _section(section)
        parts = []
        if section.text:
            self.count += 1
            try:
                rendered = self.composer.template_of(section.text).render(self.context)
            except (RenderLimit, BriefkitError, MemoryError):
                raise
            except Exception as err:  # noqa: BLE001 - located at the brief's section, not the template calling it
                found = _locate(err, self.job.brief.path, self.context)
                self.problems.items.append(Problem(self.job.brief.path, section.line or None,
                                                   f"in the section's text: {found.message}", found.hint))
                rendered = ""
            text = _own_notes(rendered.strip("\n").rstrip(), f"t{self.count}-")
            self._check_links(text, "a section's text", self.job.brief.path, section.line or 1)
            parts.append(text)
        for snippet_id in section.use:
            snippet = self.lookup(snippet_id)
            if applies(snippet, self.job):
                parts.append(self.render_snippet(snippet))
        if section.tags:
            all_tags = (*section.tags, *(topic.tags if topic else ()))
            # a snippet this output already printed (named in an earlier section) is not printed again
            chosen = [s for s in self.select(all_tags) if s.id not in self.used]
            if not chosen and from_brief:
                line = section.line or self.job.brief.line_of("topics")
                self.problems.warn(self.job.brief.path, line, f"tag selection {list(all_tags)} matches no snippet "
                                   f"for {self.job.committee.id}")
            elif not chosen and not parts:  # a template's default section: left out, reported once per output
                self.empty_defaults.append((section.heading or "untitled", all_tags))
            parts.extend(self.render_snippet(s) for s in chosen)
        return "\n\n".join(p for p in parts if p)


def source_map(text: str, pieces: list[tuple[str, Path, int]]) -> SourceMap:
    """Which snippet each line of the composed text came from: each snippet's text is found where it landed, and
    a line belongs to the innermost snippet that holds it (a line of the template's own is from no snippet)."""
    spans = []
    for piece, path, first in pieces:
        at = text.find(piece) if piece.strip() else -1
        if at >= 0:
            start = text.count("\n", 0, at) + 1
            spans.append((start, start + piece.count("\n"), path, first))
    starts: list[tuple[int, Path | None, int]] = []
    for line in range(1, text.count("\n") + 2):
        holding = [s for s in spans if s[0] <= line <= s[1]]
        owner = min(holding, key=lambda s: s[1] - s[0]) if holding else None
        entry = (line, owner[2], owner[3] + line - owner[0]) if owner else (line, None, line)
        previous = starts[-1] if starts else None
        if previous is None or previous[1] != entry[1] or \
                (entry[1] is not None and previous[2] + line - previous[0] != entry[2]):
            starts.append(entry)
    return SourceMap(tuple(starts))


def _section(spec: Mapping[str, Any]) -> Section:
    """A section a template wrote as a mapping: heading, use, tags, text."""
    known = ("heading", "use", "tags", "text")
    for key in spec:
        if key not in known:
            raise _Lookup(f"unknown section key '{key}'", did_you_mean(str(key), known))
    def names(key: str) -> tuple[str, ...]:
        value = spec.get(key) or ()
        return (value,) if isinstance(value, str) else tuple(value)

    return Section(heading=str(spec.get("heading") or ""), use=names("use"), tags=names("tags"),
                   text=str(spec.get("text") or ""))


def _own_notes(text: str, prefix: str) -> str:
    """A snippet's note labels made its own (`[^1]` -> `[^s3-1]`), so two snippets may both use `[^1]`; labels
    it does not define, and labels in code, stay as typed."""
    defined = {m.group(1) for m in _NOTE_DEFINITION.finditer(_CODE.sub(lambda m: " " * len(m.group()), text))}
    if not defined:
        return text

    def own(match: re.Match[str]) -> str:
        label = match.group("label")
        return match.group() if label is None or label not in defined else f"[^{prefix}{label}]"

    return _CODE_OR_LABEL.sub(own, text)


def _blocks(text: str) -> list[str]:
    """The text's blocks, split at blank lines outside fenced code."""
    blocks: list[str] = []
    lines: list[str] = []
    fence = ""
    for line in text.split("\n"):
        opened = re.match(r" {0,3}(`{3,}|~{3,})", line)
        if fence and opened and opened.group(1).startswith(fence) and not line.strip().strip(fence[0]):
            fence = ""
        elif not fence and opened:
            fence = opened.group(1)
        if not line.strip() and not fence:
            if lines:
                blocks.append("\n".join(lines))
            lines = []
        else:
            lines.append(line)
    if lines:
        blocks.append("\n".join(lines))
    return blocks


def _cite_front_matter(text: str, keys: tuple[str, ...]) -> str:
    """Cite a snippet's front-matter sources at the end of its first paragraph, unless its body does (a snippet
    without a paragraph gets the citation as one of its own)."""
    missing = [key for key in keys if key not in cited_keys(text)]
    if not missing:
        return text
    marker = "[" + "; ".join(f"@{key}" for key in missing) + "]"
    blocks = _blocks(text)
    index = next((i for i, block in enumerate(blocks) if not _NOT_PARAGRAPH.match(block)), None)
    if index is None:
        return f"{text}\n\n{marker}"
    blocks[index] = blocks[index].rstrip() + marker
    return "\n\n".join(blocks)


@dataclass(frozen=True)
class KeyFact:
    """A row of a key-facts table: what the figure measures, the figure (cited), and when."""

    label: str
    value: str
    as_of: str


def _locator_text(locator: str, language: Language) -> str:
    return locator if " " in locator else language.text("page.locator", page=locator)


class Composer:
    """Composes jobs in one workspace; holds the Jinja environment so templates compile once."""

    def __init__(self, ws: Workspace, library: Library, keep_compiled: bool = False,
                 memo: dict[str, Any] | None = None):
        self.ws = ws
        self.library = library
        self.memo = {} if memo is None else memo  # formatted citations, keyed by digest (see citations.py)
        self.env = make_environment(ws, library, keep_compiled)
        self._phrases: dict[str, Phrases] = {}
        self._languages: dict[str, Language] = {}
        self._strings: dict[str, jinja2.Template] = {}
        self._views: dict[int, tuple[Any, Any]] = {}

    def language(self, tag: str) -> Language:
        """A brief's language (its data files read once a composer)."""
        found = self._languages.get(tag)
        if found is None:
            found = self._languages[tag] = load_language(self.ws, tag)
        return found

    @functools.cached_property
    def _layer_languages(self) -> dict[int, str]:
        from briefkit.workspace import LIBRARY_FILE, load_library_info

        found = {}
        default = self._workspace_language
        for index, layer in enumerate(self.ws.snippet_layers):
            info = layer.root / LIBRARY_FILE
            languages: tuple[str, ...] = ()
            if layer.name != "workspace" and info.is_file():
                try:
                    languages = tuple(load_library_info(info).get("languages") or ())
                except BriefkitError:
                    languages = ()
            found[index] = languages[0].split("-")[0].lower() if languages else default
        return found

    def snippet_language(self, snippet: Snippet) -> str:
        """The language a snippet's own text is in: its library's first `languages`, else the workspace's."""
        return self._layer_languages.get(snippet.layer, self._workspace_language)

    @property
    def _workspace_language(self) -> str:
        return (self.ws.settings.language or "en").split("-")[0].lower()

    def view(self, record: Any) -> Any:
        """The frozen view of a profile many briefs share (a country, committee, conference), made once."""
        found = self._views.get(id(record))
        if found is None or found[0] is not record:
            found = self._views[id(record)] = (record, freeze(record))  # the record is kept: its id stays its own
        return found[1]

    def template_of(self, text: str) -> jinja2.Template:
        """A short text from a brief or a snippet's front matter as a template, compiled once per process (the
        same summary lines and asks recur in brief after brief)."""
        if text not in self._strings:
            self._strings[text] = self.env.from_string(text)
        return self._strings[text]

    def title(self, job: Job) -> str:
        brief = job.brief
        if brief.title:
            return brief.title
        language = self.language(brief.language)
        kind = language.text(f"kinds.{brief.kind}")
        if brief.kind == "resolution" and job.topics:
            return language.text("resolution_title", kind=kind, topic=job.topics[0].title)
        committee = job.committee.short_name if brief.kind in ("handout", "speech") else job.committee.name
        return language.text("title", kind=kind, country=job.country.short_name, committee=committee)

    def phrases(self, language: str = "en") -> Phrases:
        """The resolution phrase lists of a language, read once."""
        if language not in self._phrases:
            from briefkit.resolution import load_phrases

            self._phrases[language] = load_phrases(self.ws, language)
        return self._phrases[language]

    def country_names(self, values: Iterable[str], brief: Brief, key: str, problems: Problems,
                      language: Language | None = None) -> tuple[str, ...]:
        """Countries named by ISO code or name, as they are listed on a resolution, in the brief's language."""
        names = []
        for value in values:
            name = country_short_name(self.ws, value, language)
            if name is None:
                problems.error(brief.path, brief.line_of(key), f"unknown country '{value}' in {key}",
                               "use an ISO 3166 code such as CHN or FRA, or the English short name")
            else:
                names.append(name)
        return tuple(names)

    def template_path(self, kind: str) -> Path | None:
        return self.ws.find("templates", kind, ".md.j2")

    def compose(self, job: Job) -> Composed:
        """Render the kind's template for one job and resolve its citations; raises on any error."""
        problems = Problems()
        run = _Run(self, job, problems)
        template_name = f"{job.brief.kind}.md.j2"
        try:
            template = self.env.get_template(template_name)
        except jinja2.TemplateNotFound as err:
            raise BriefkitError([Problem(job.brief.path, job.brief.line_of("kind"),
                                         f"no template '{template_name}' for kind '{job.brief.kind}'")]) from err
        except jinja2.TemplateSyntaxError as err:
            raise BriefkitError([_locate(err, job.brief.path, {})]) from err
        try:
            with limited():
                text = check_text(template.render(run.context), f"the {template_name} template")
                appendix = 0
                if DISCLOSURE in text:
                    page = self._disclosure(run)
                    text, appendix = text.replace(DISCLOSURE, page, 1), int(bool(page))
        except BriefkitError:
            raise
        except Exception as err:  # noqa: BLE001 - every template failure becomes one located problem
            raise BriefkitError([_locate(err, job.brief.path, run.context)]) from err
        if run.empty_defaults:
            self._report_empty_defaults(run)
        if run.untranslated:
            shown = list(dict.fromkeys(run.untranslated))
            problems.warn(job.brief.path, job.brief.line_of("language"), f"{len(shown)} snippet"
                          f"{'s' if len(shown) > 1 else ''} not translated into '{run.language.tag}', their own "
                          f"text used: {', '.join(shown)}", f"add {shown[0]}.{run.language.base}.md beside "
                          f"{shown[0]}.md (SPEC 3)", once=f"untranslated:{job.brief.path}:{run.language.tag}")
        _conference_rules(text, job, problems)
        if problems.errors:
            raise BriefkitError(list(problems.items))  # the warnings too: they often explain the errors
        bad = XML_ILLEGAL.search(text)
        if bad:
            raise BriefkitError([Problem(job.brief.path, None, f"the composed text holds control character "
                                         f"U+{ord(bad.group()):04X}, which a document cannot store")])
        reading_copy = TIMING in text  # a text to be read aloud: no citation in it, its sources after it
        cited = apply_citations(
            text, self.library.sources, job.conference.citation_style, self._styles_dirs,
            lambda offset: (job.brief.path, None), self.memo, reading_copy,
            marks_after_punctuation=run.language.english, locale=run.language.tag,
            headings={mode: run.language.text(f"references.{mode}") for mode in ("note", "in-text", "reading")},
        )
        references = cited.references
        if cited.is_note and (not job.conference.bibliography or job.brief.kind in NOTES_ONLY):
            references = ()  # the first note of each source is a full citation
        body, spoken = cited.text, None
        if reading_copy:  # the words spoken: after the marker, without citations (counted before they are set)
            spoken = count_words(CITATION.sub("", text.split(TIMING, 1)[1]))
            body = body.replace(TIMING, timing_line(spoken, job, run.language), 1)
        text_end = len(body.rstrip()) if references else None
        body = _with_references(body, cited.heading, references, apart=reading_copy)
        return Composed(job, self.title(job), body, tuple(dict.fromkeys(run.used)), cited.cited,
                        tuple(problems.warnings), text_end, spoken, appendix, source_map(text, run.pieces),
                        run.language, run.clause_scheme)

    def _report_empty_defaults(self, run: _Run) -> None:
        """One warning for the default sections no snippet of the workspace's libraries fills."""
        from briefkit.workspace import builtin_libraries

        brief = run.job.brief
        headings = list(dict.fromkeys(heading for heading, _ in run.empty_defaults))
        tags = sorted({tag for _, group in run.empty_defaults for tag in group})
        named = ", ".join(self.ws.settings.libraries) or "none"
        others = [name for name in builtin_libraries() if name not in self.ws.settings.libraries]
        add = f", or add a library to briefkit.yaml (built-in: {', '.join(others)})" if others else ""
        run.problems.warn(brief.path, brief.line_of("topics") or brief.line_of("topic"),
                          f"default section{'s' if len(headings) > 1 else ''} {', '.join(headings)} left out: no "
                          f"snippet in this workspace or its libraries ({named}) has the tags they select",
                          f"write snippets tagged {', '.join(tags)}, give the topic its own sections{add}",
                          once=f"empty:{brief.path}:{headings}:{tags}")  # once for all of a brief's outputs

    def _disclosure(self, run: _Run) -> str:
        """The disclosure page: the conference's heading, the brief's statement, on a page of its own."""
        job = run.job
        heading = job.conference.disclosure
        if isinstance(heading, Mapping):
            heading = in_language(heading, run.language.tag) or run.language.text("disclosure")
        if not heading:
            return ""
        if not job.brief.disclosure:
            run.problems.warn(job.brief.path, job.brief.line_of("kind"), f"{job.conference.name} asks for a "
                              f"disclosure page ('{heading}') after the paper", "add 'disclosure: <your statement>' "
                              "to the brief")
            return ""
        try:
            statement = run.render_text(job.brief.disclosure)
        except Exception as err:  # noqa: BLE001 - located like any template failure
            raise BriefkitError([_locate(err, job.brief.path, run.context)]) from err
        return f"<!-- pagebreak -->\n\n<!-- disclosure-heading -->\n## {heading}\n\n{statement}\n"

    @functools.cached_property
    def _styles_dirs(self) -> tuple[Path, ...]:
        """The folders of citation styles (CSL files), highest priority first, found once a session."""
        return tuple(self.ws.dirs("templates", "styles"))


_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_SYMBOL = re.compile(r"flag|emblem|coat[ -_]?of[ -_]?arms|seal|crest|anthem", re.IGNORECASE)


def _conference_rules(text: str, job: Job, problems: Problems) -> None:
    """No delegates' names, and no national symbols (flag, emblem, seal images), where the conference forbids them."""
    conference, brief = job.conference, job.brief
    if not conference.names_allowed:
        for name in brief.delegates:
            if name.strip() and re.search(rf"(?<!\w){re.escape(name.strip())}(?!\w)", text):
                problems.error(brief.path, brief.line_of("delegates"), f"{conference.name} does not allow delegates' "
                               f"names in the paper, but '{name}' appears in its text")
    if not conference.symbols_allowed:
        for alt, src in _IMAGE.findall(text):
            if _SYMBOL.search(alt) or _SYMBOL.search(src):
                problems.error(brief.path, None, f"{conference.name} does not allow national symbols, but the paper "
                               f"shows the image '{src}' ({alt or 'no description'})",
                               "remove it from the snippet or template that adds it")


def timing_line(words: int, job: Job, language: Language) -> str:
    """The speech's timing line: words (characters in Chinese), speaking time at the language's pace, and the
    conference's limit if it has one."""
    limits = job.conference.limits.get(job.brief.kind)
    limit = (language.text("speech.limit", time=language.duration(limits.minutes * 60))
             if limits and limits.minutes else "")
    seconds = speaking_seconds(words, language.speaking_rate)
    line = language.text("speech.timing", time=language.duration(seconds), words=language.number(words),
                         rate=language.number(round(language.speaking_rate)), limit=limit)
    return f"*{line}*"


def _with_references(text: str, heading: str, references: tuple[str, ...], apart: bool = False) -> str:
    """The reference list after the text; `apart`: on a page of its own (a reading copy's sources)."""
    if not references:
        return text.rstrip() + "\n"
    entries = "\n\n".join(references)
    page = "<!-- pagebreak -->\n\n" if apart else ""
    return f"{text.rstrip()}\n\n{page}<!-- references-heading -->\n## {heading}\n\n{entries}\n"


def _locate(err: Exception, fallback: Path, context: Mapping[str, Any]) -> Problem:
    """Turn a Jinja or lookup error into a problem at the template or snippet file and line."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        path = Path(err.filename) if err.filename else fallback
        return Problem(path, err.lineno, f"template syntax error: {err.message}")
    path, line = fallback, None
    cause = err.__cause__ if isinstance(err, RenderLimit) and err.__cause__ else err  # a MemoryError's place
    for frame in traceback.extract_tb(cause.__traceback__):
        if frame.filename.endswith((".md", ".j2", ".yaml")) and Path(frame.filename).is_file():
            path, line = Path(frame.filename), frame.lineno
    if isinstance(err, RenderLimit):
        return Problem(path, line, f"render limit: {err}", "a template or snippet must not loop without end or "
                       "build huge text")
    if isinstance(err, _Lookup):
        return Problem(path, line, str(err), err.hint)
    if isinstance(err, jinja2.exceptions.SecurityError):
        return Problem(path, line, f"not allowed in a template: {err}")
    if isinstance(err, jinja2.UndefinedError):
        field = re.search(r"'briefkit\.api\.View object' has no attribute '([^']+)'", str(err))
        if field:  # a view's field: say it in the template API's words
            owners = [name for name, value in context.items() if isinstance(value, View)]
            known = sorted({key for name in owners for key in context[name]})
            return Problem(path, line, f"undefined: no field '{field.group(1)}' (the fields of "
                           f"{', '.join(owners)} are in docs/template-api.md)", did_you_mean(field.group(1), known))
        name = re.search(r"'([^']+)' is undefined", str(err))
        hint = did_you_mean(name.group(1), context) if name else None
        return Problem(path, line, f"undefined variable: {err}", hint)
    if isinstance(err, jinja2.TemplateNotFound):
        return Problem(path, line, f"template not found: '{err.name}'")
    return Problem(path, line, f"template error: {type(err).__name__}: {err}")
