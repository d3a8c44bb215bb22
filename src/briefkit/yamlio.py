"""Reading user files: UTF-8 text, YAML that remembers line numbers and refuses what it cannot trust, front matter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from briefkit.errors import BriefkitError, Problem

# Characters XML 1.0 (and so Word) cannot hold: C0 controls except tab/newline/CR, lone surrogates (a YAML or
# Jinja escape such as "\ud800" makes them), and U+FFFE/U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What YAML will not read at all (outside its printable set), and the noncharacters used below: found first, so
# the error has a line.
# (written as the characters it refuses, not as the complement of what YAML reads: the same set, compiled in
# a tenth of a millisecond instead of ten)
_YAML_UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdd2\ufffe\uffff]")
# U+2028, U+2029 and NEL end a line for YAML 1.1, but not for an editor, Jinja or briefkit, which count \n: they
# would shift every later line (and end a comment or a plain value early). While parsing they stand in as
# noncharacters, which Unicode reserves for a program's internal use, and every value gets them back.
_HIDE = str.maketrans("\u2028\u2029\x85", "\ufdd0\ufdd1\ufdd2")
_SHOW = str.maketrans("\ufdd0\ufdd1\ufdd2", "\u2028\u2029\x85")

MAX_DEPTH = 50  # levels of nested lists and mappings; real files use under 15
MAX_ALIASED = 10_000  # values that aliases may repeat in one file; a "billion laughs" file asks for 10**9
MAX_INT_BITS = 4096  # about 1200 digits: larger whole numbers are a mistake or an attack

if yaml.__with_libyaml__:
    _Parser: Any = yaml.cyaml.CParser  # type: ignore[attr-defined]  # libyaml scans and parses; nodes are composed below, where depth is counted
else:  # pragma: no cover - PyYAML built without libyaml
    class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        def __init__(self, stream: str):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

    _Parser = _PyParser


class LineDict(dict[Any, Any]):
    """A YAML mapping that knows the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A YAML sequence that knows the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class _Checked(SafeConstructor):
    """What both loaders check while constructing: duplicate keys, and the line of every mapping, list and key."""

    path: Path
    problems: list[Problem]

    def line_of(self, mark: Any) -> int:
        """The 1-based line of a mark."""
        return int(mark.line) + 1

    def report(self, mark: Any, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.path, self.line_of(mark), message, hint))

    def _stop(self, mark: Any, message: str, hint: str) -> BriefkitError:
        return BriefkitError([*self.problems, Problem(self.path, self.line_of(mark), message, hint)])

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        self._check_duplicates(node)
        data = LineDict(super().construct_mapping(node, deep=True))
        data.line = self.line_of(node.start_mark)
        data.key_lines = {}
        for key_node, _ in node.value:  # merged keys first, so a key written here wins
            key = self.construct_object(key_node, deep=True)
            data.key_lines[key] = self.line_of(key_node.start_mark)
        return data

    def _check_duplicates(self, node: yaml.MappingNode) -> None:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # '<<' merges another mapping: its keys may be overridden here
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: SafeConstructor reports it
            if first is None:
                seen[key] = self.line_of(key_node.start_mark)
            else:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)
                self.report(key_node.start_mark, f"duplicate key '{_short(name)}'", f"first at line {first}")

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        data = LineList(super().construct_sequence(node, deep=True))
        data.line = self.line_of(node.start_mark)
        data.item_lines = [self.line_of(item.start_mark) for item in node.value]
        return data


class _LineLoader(_Checked, Composer, _Parser, Resolver):
    """Safe YAML with lines on every mapping and list; refuses duplicate keys, impossible dates and numbers,
    text XML cannot hold, nesting deeper than MAX_DEPTH and aliases that repeat more than MAX_ALIASED values."""

    def __init__(self, text: str, path: Path):
        self._hidden = any(c in text for c in "\u2028\u2029\x85")
        _Parser.__init__(self, text.translate(_HIDE) if self._hidden else text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.path = path
        self.problems: list[Problem] = []
        self._depth = 0  # nesting of the node being composed
        self._deepest = 0  # deepest level reached inside it, aliases expanded
        self._count = 0  # values composed so far, aliases expanded
        self._aliased = 0  # of which repeated by aliases
        self._anchored: dict[int, tuple[int, int]] = {}  # id of an anchored node -> (values, levels)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            return self._compose_alias(event, parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._stop(event.start_mark, f"nested more than {MAX_DEPTH} levels deep",
                             "flatten the structure")
        if isinstance(event, yaml.ScalarEvent):
            if self._hidden:
                event.value = event.value.translate(_SHOW)
            self._check_text(event.value, event.start_mark)
        outer, before = self._deepest, self._count
        self._deepest = self._depth
        self._count += 1
        node = super().compose_node(parent, index)
        if event.anchor is not None:
            self._anchored[id(node)] = (self._count - before, self._deepest - self._depth + 1)
        self._deepest = max(outer, self._deepest)
        self._depth -= 1
        return node

    def _compose_alias(self, event: Any, parent: Any, index: Any) -> Any:
        node = super().compose_node(parent, index)  # an undefined alias is a ComposerError here
        if id(node) not in self._anchored:
            raise self._stop(event.start_mark, f"alias '*{event.anchor}' stands inside the value it names",
                             "a value cannot contain itself")
        values, levels = self._anchored[id(node)]
        self._count += values
        self._aliased += values
        self._deepest = max(self._deepest, self._depth + levels)
        if self._aliased > MAX_ALIASED:
            raise self._stop(event.start_mark, f"aliases repeat more than {MAX_ALIASED} values",
                             "write the values out instead of expanding anchors this far")
        if self._depth + levels > MAX_DEPTH:
            raise self._stop(event.start_mark, f"alias '*{event.anchor}' nests values more than {MAX_DEPTH} "
                             "levels deep", "flatten the structure")
        return node

    def _check_text(self, value: str, mark: Any) -> None:
        bad = XML_ILLEGAL.search(value)
        if bad:
            code = ord(bad.group())
            what = "control character" if code < 0x20 else "character"
            self.report(mark, f"{what} U+{code:04X} cannot be stored in a document",
                        "written as an escape such as \\x01 in quoted text; remove it")

def _guarded(construct: Any) -> Any:
    """A scalar constructor whose failures are located problems: PyYAML calls date(), int() and lookups unguarded
    (2027-02-30, 5000 digits, !!bool maybe)."""

    def run(loader: _LineLoader, node: yaml.ScalarNode) -> Any:
        try:
            value = construct(loader, node)
        except (ValueError, OverflowError, KeyError, AttributeError) as err:
            loader.report(node.start_mark, _unreadable(node, err))
            return node.value
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            loader.report(node.start_mark, f"'{_short(node.value)}' is too large a number")
            return 0
        return value

    return run


_OCTAL = re.compile("[-+]?0[0-7_]+")


def _construct_int(loader: _LineLoader, node: yaml.ScalarNode) -> int:
    """Whole numbers; a leading zero is decimal, as in YAML 1.2 and as every user means it (0331 is 331, not
    YAML 1.1's octal 217)."""
    if _OCTAL.fullmatch(node.value):
        return int(node.value.replace("_", ""), 10)
    return int(SafeConstructor.construct_yaml_int(loader, node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)  # type: ignore[type-var]
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)  # type: ignore[type-var]
_LineLoader.add_constructor("tag:yaml.org,2002:int", _guarded(_construct_int))
for _tag in ("bool", "float", "timestamp"):
    _LineLoader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                                _guarded(SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{_tag}"]))


class _FastLoader(_Checked, _Parser, Resolver):
    """The common file, composed by libyaml itself: no anchors, no line separators, few brackets. What the
    careful loader checks while composing (depth, text XML cannot hold) is checked on the result, and anything
    unusual is read again by _LineLoader, so every message is its."""

    def __init__(self, text: str, path: Path):
        _Parser.__init__(self, text)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.path = path
        self.problems = []


_FastLoader.yaml_constructors = _LineLoader.yaml_constructors  # the same guarded constructors


_ANCHOR_OR_ALIAS = re.compile(r"(?:^|[\s,\[{])[&*][^\s,\[\]{}]")  # "&name" or "*name", not "R&D" or "a & b"


def _fast(text: str, path: Path) -> tuple[bool, Any]:
    """(True, data) when the fast loader reads the file cleanly, else (False, None)."""
    if _ANCHOR_OR_ALIAS.search(text) or text.count("[") + text.count("{") > 500 or len(text) > 1 << 18:
        return False, None
    loader = _FastLoader(text, path)
    try:
        data = loader.get_single_data()
    except (yaml.YAMLError, RecursionError):
        return False, None
    finally:
        loader.dispose()
    return (not loader.problems and _plain(data, 1)), data


def _plain(value: Any, depth: int) -> bool:
    """No deeper than MAX_DEPTH and no text XML cannot hold, keys included."""
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, str):
        return XML_ILLEGAL.search(value) is None
    if isinstance(value, dict):
        return all(_plain(k, depth) and _plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    return True


def _unreadable(node: yaml.ScalarNode, err: Exception) -> str:
    reason = ""
    if isinstance(err, ValueError):
        reason = " (too many digits)" if "digits" in str(err) else f" ({err})"
    tag = node.tag.rsplit(":", 1)[-1]
    if tag == "timestamp":
        return f"'{_short(node.value)}' is not a real date{reason}"
    return f"'{_short(node.value)}' cannot be read as !!{tag}{reason}"


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


MAX_FILE = 8 << 20  # a text file a user writes: a long snippet is 20 KB


def read_text(path: Path) -> str:
    """A file's text with \n line ends, or a located error if it cannot be read, is not UTF-8 or holds characters
    XML cannot."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE:
            raise BriefkitError([Problem(path, None, f"the file is {size:,} bytes; a snippet, brief, template or "
                                         f"YAML file may have {MAX_FILE:,} at most")])
        data = path.read_bytes()
    except OSError as err:
        raise BriefkitError([Problem(path, None, f"cannot read the file: {err.strerror or err}")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1
        raise BriefkitError([Problem(path, line, "file is not UTF-8 text", "save it as UTF-8")]) from err
    # A lone CR ends a line for YAML, Jinja, Markdown and editors alike: make it \n so every count agrees.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = XML_ILLEGAL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise BriefkitError(
            [Problem(path, line, f"control character U+{ord(bad.group()):04X} cannot be stored in a document")]
        )
    return text


def load_yaml(text: str, path: Path) -> Any:
    """Parse YAML safely; every problem in it (syntax, duplicate keys, impossible values, nesting) is located."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # a CR ends a line for YAML too
    bad = _YAML_UNREADABLE.search(text)
    if bad:
        raise BriefkitError([Problem(path, text.count("\n", 0, bad.start()) + 1,
                                     f"character U+{ord(bad.group()):04X} is not allowed in YAML", "remove it")])
    if not any(c in text for c in "\u2028\u2029\x85"):
        ok, found = _fast(text, path)
        if ok:
            return found
    loader = _LineLoader(text, path)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = loader.line_of(mark) if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise BriefkitError([*loader.problems, Problem(path, line, f"YAML syntax error: {problem}")]) from err
    finally:
        loader.dispose()
    if loader.problems:
        raise BriefkitError(loader.problems)
    return data


def load_yaml_file(path: Path) -> Any:
    """Read and parse a YAML file."""
    return load_yaml(read_text(path), path)


def split_front_matter(text: str, path: Path) -> tuple[Any, str, int]:
    """Split `---` front matter from a Markdown body; returns (data, body, body's first line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise BriefkitError([Problem(path, 1, "snippet must start with '---' front matter", "add a title")])
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            data = load_yaml("\n" + "\n".join(lines[1:end]), path)  # the blank first line stands for '---'
            return data, "\n".join(lines[end + 1 :]), end + 2
    raise BriefkitError([Problem(path, 1, "front matter is not closed by '---'")])
