"""Writing outputs: complete or not at all, with names from the conference's pattern."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from briefkit.compose import Job

_UNSAFE = re.compile(r"[^\w.\-]+")
MAX_NAME_BYTES = 255  # a file name's length limit on Linux, macOS and Windows file systems
_LONGEST_EXTENSION = ".docx"


class OutputNameError(ValueError):
    """A file name that would leave the output folder, or that no file system can hold."""


def check_pattern(pattern: str) -> None:
    """A conference's file-name pattern may name one file in the output folder: no folders, no `..`, not hidden."""
    literal = re.sub(r"\{[^{}]*\}", "", pattern)
    if not pattern.strip():
        raise OutputNameError("the file-name pattern is empty")
    if "/" in literal or "\\" in literal or ":" in literal:
        raise OutputNameError(f"file-name pattern '{pattern}' names a folder; outputs go straight into the output "
                              "folder, so use no '/', '\\' or ':'")
    if pattern.startswith(".") or ".." in literal:
        raise OutputNameError(f"file-name pattern '{pattern}' would make a hidden file or leave the output folder")


def output_stem(job: Job) -> str:
    """The output file name without extension, from the conference's `filename` pattern; OutputNameError if the
    result could not be one file in the output folder."""
    brief, committee, country = job.brief, job.committee, job.country
    fields = {
        "brief": brief.id, "committee": committee.id, "committee_short": committee.short_name,
        "country": country.code, "country_name": country.short_name, "school": brief.school or "school",
        "kind": brief.kind, "conference": job.conference.id,
        "topic": job.topics[0].title if len(job.topics) == 1 else "", "topic_number": str((job.topic_index or 0) + 1),
    }
    pattern = job.conference.filename
    check_pattern(pattern)
    if len(brief.countries) > 1 and "{country" not in pattern:
        pattern = pattern.replace("{brief}", "{brief}-{country}") if "{brief}" in pattern else pattern + "-{country}"
    if job.topic_index is not None and "{topic" not in pattern:
        pattern += "-{topic_number}"  # one paper per topic needs a name per topic
    values = {k: _UNSAFE.sub("_", v).strip("_.") for k, v in fields.items()}
    stem = pattern
    for name, value in values.items():  # plain replacement: no format specs, which could write a '/'
        stem = stem.replace("{" + name + "}", value)
    stem = stem.strip()
    if any(c in stem for c in "/\\\0:") or "{" in stem or "}" in stem:
        raise OutputNameError(f"file-name pattern '{job.conference.filename}' gives '{stem[:60]}', which is not "
                              "one file name in the output folder")
    if not stem.strip("_.-"):
        raise OutputNameError(f"file-name pattern '{job.conference.filename}' gives an empty name for this brief")
    if stem.startswith(".") or ".." in stem:
        raise OutputNameError(f"file-name pattern '{job.conference.filename}' gives '{stem}', a hidden or "
                              "parent-folder name")
    if len((stem + _LONGEST_EXTENSION).encode("utf-8")) > MAX_NAME_BYTES:
        raise OutputNameError(f"the file name '{stem[:40]}...' is {len(stem.encode('utf-8'))} bytes long; file "
                              f"systems hold {MAX_NAME_BYTES - len(_LONGEST_EXTENSION)} at most here (shorten the "
                              "brief's school or topic, or the conference's file-name pattern)")
    return stem


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file by renaming a finished temporary file over it; a failure leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
