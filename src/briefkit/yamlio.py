"""Reading user files: UTF-8 text, YAML that remembers line numbers, front matter."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from briefkit.errors import BriefkitError, Problem

# Characters XML 1.0 (and so Word) cannot hold: C0 controls except tab/newline/CR, and U+FFFE/U+FFFF.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict[Any, Any]):
    """A YAML mapping that knows the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A YAML sequence that knows the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(_Base):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        data = LineDict(super().construct_mapping(node, deep=True))
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1
        return data

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        data = LineList(super().construct_sequence(node, deep=True))
        data.line = node.start_mark.line + 1
        data.item_lines = [item.start_mark.line + 1 for item in node.value]
        return data


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def read_text(path: Path) -> str:
    """A file's text, or a located error if it is not UTF-8 or holds characters XML cannot."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise BriefkitError([Problem(path, line, "file is not UTF-8 text", "save it as UTF-8")]) from err
    bad = XML_ILLEGAL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise BriefkitError(
            [Problem(path, line, f"control character U+{ord(bad.group()):04X} cannot be stored in a document")]
        )
    return text.replace("\r\n", "\n")


def load_yaml(text: str, path: Path) -> Any:
    """Parse YAML safely; syntax errors become one located problem."""
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader derives from SafeLoader
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise BriefkitError([Problem(path, line, f"YAML syntax error: {problem}")]) from err


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
