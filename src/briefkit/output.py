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


def output_stem(job: Job) -> str:
    """The output file name without extension, from the conference's `filename` pattern."""
    brief, committee, country = job.brief, job.committee, job.country
    fields = {
        "brief": brief.id, "committee": committee.id, "committee_short": committee.short_name,
        "country": country.code, "country_name": country.short_name, "school": brief.school or "school",
        "kind": brief.kind, "conference": job.conference.id,
        "topic": job.topics[0].title if len(job.topics) == 1 else "", "topic_number": str((job.topic_index or 0) + 1),
    }
    pattern = job.conference.filename
    if len(brief.countries) > 1 and "{country" not in pattern:
        pattern = pattern.replace("{brief}", "{brief}-{country}") if "{brief}" in pattern else pattern + "-{country}"
    if job.topic_index is not None and "{topic" not in pattern:
        pattern += "-{topic_number}"  # one paper per topic needs a name per topic
    stem = pattern.format(**{k: _UNSAFE.sub("_", v).strip("_") for k, v in fields.items()})
    return stem or job.name


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
