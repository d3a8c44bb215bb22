"""A reference document from a stranger, made safe before use: only what a Word document needs passes.

The zip is checked before anything is unpacked (entry names, count, sizes, compression ratio); then only the
parts the package's relationships reach and whose content type a plain Word document uses are read, each
XML part parsed (well-formed, no DTD, no entities). Macros (vbaProject, macro-enabled content types),
ActiveX, OLE objects, attached templates, external relationships and unknown parts are dropped, and what
was dropped is reported once. Part names are normalised: no `..`, no absolute or backslash names.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from briefkit.errors import BriefkitError, Problem

MAX_ENTRIES = 2000
MAX_TOTAL = 64 << 20  # bytes the parts a brief could use may unpack to
MAX_RATIO = 100  # a part may unpack to at most this many times its compressed size (beyond the first MB)
OX = "http://schemas.openxmlformats.org/"
PKG_RELS = OX + "package/2006/relationships"
CTYPES = OX + "package/2006/content-types"
R = OX + "officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument."
MAIN_TYPES = (CT + "wordprocessingml.document.main+xml", CT + "wordprocessingml.template.main+xml",
              "application/vnd.ms-word.document.macroEnabled.main+xml",
              "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
ALLOWED_TYPES = frozenset({
    *(CT + f"wordprocessingml.{name}+xml" for name in ("styles", "settings", "fontTable", "webSettings", "numbering",
                                                      "footnotes", "endnotes", "header", "footer")),
    CT + "theme+xml", CT + "customXmlProperties+xml", "application/xml", CT + "extended-properties+xml",
    CT + "custom-properties+xml", "application/vnd.openxmlformats-package.core-properties+xml",
    CT + "obfuscatedFont", "image/png", "image/jpeg", "image/gif", "application/vnd.ms-word.stylesWithEffects+xml",
})
# What a relationship may be, by the last part of its type: a macro, control, OLE object or attached template
# is dropped whatever content type its part claims.
ALLOWED_RELATIONSHIPS = frozenset({
    "officeDocument", "core-properties", "extended-properties", "custom-properties", "styles", "stylesWithEffects",
    "settings", "fontTable", "webSettings", "numbering", "footnotes", "endnotes", "header", "footer", "theme",
    "customXml", "customXmlProps", "image", "font",
})
IMAGE_SIGNATURES = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",),
                    "image/gif": (b"GIF87a", b"GIF89a")}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass
class Package:
    """The parts of a reference document that passed, with their content types, and what was dropped."""

    parts: dict[str, bytes] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # part name -> content type
    defaults: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def parse_xml(data: bytes) -> Any:
    """Parse a part: well-formed, no DTD (and so no entities), no network."""
    root = etree.fromstring(data, _PARSER)
    if root.getroottree().docinfo.doctype:
        raise ValueError("a part declares a DTD, which a Word document never does")
    return root


def _normal(name: str) -> str | None:
    """A zip entry's part name, or None if it could point outside the package."""
    if not name or "\\" in name or "\0" in name or name.startswith("/") or len(name) > 512:
        return None
    normal = posixpath.normpath(name)
    return None if normal.startswith("..") or normal in (".", "") else normal


def _resolve(source: str, target: str) -> str | None:
    """A relationship target as a part name, relative to its source part's folder; None if it leaves the package."""
    joined = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
    return _normal(joined)


def check_archive(path: Path, data: bytes) -> zipfile.ZipFile:
    """The zip, once its entries' names, count, sizes and ratios are known to be sane (nothing unpacked yet)."""
    def refuse(reason: str) -> BriefkitError:
        return BriefkitError([Problem(path, None, f"refused the reference document: {reason}",
                                      "save it again from Word as a Word Document (.docx)")])

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as err:
        raise refuse(f"it is not a readable zip package ({err})") from None
    if len(infos) > MAX_ENTRIES:
        raise refuse(f"it has {len(infos)} entries (at most {MAX_ENTRIES})")
    for info in infos:
        if _normal(info.filename) is None:
            raise refuse(f"an entry is named '{info.filename[:80]}', which points outside the package")
        if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(f"'{info.filename}' unpacks to {info.file_size:,} bytes from {info.compress_size:,} "
                         f"(more than {MAX_RATIO} times; a zip bomb?)")
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL:
        raise refuse(f"it unpacks to {total:,} bytes (at most {MAX_TOTAL:,})")
    return archive


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    """One entry, read no further than its declared size."""
    info = archive.getinfo(name)
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ValueError(f"'{name}' is larger than its entry says")
    return data


def read_package(path: Path, data: bytes) -> Package:
    """The safe subset of a reference document: see the module's docstring."""
    archive = check_archive(path, data)
    entries = {_normal(info.filename): info.filename for info in archive.infolist() if not info.is_dir()}
    package = Package()
    types = parse_xml(_read(archive, entries["[Content_Types].xml"]))
    package.defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                        for d in types.iter(f"{{{CTYPES}}}Default")
                        if d.get("ContentType", "") in ALLOWED_TYPES | {"application/xml"} or
                        d.get("Extension", "").lower() == "rels"}
    overrides = {(_normal(o.get("PartName", "").lstrip("/")) or ""): o.get("ContentType", "")
                 for o in types.iter(f"{{{CTYPES}}}Override")}

    def content_type(name: str) -> str:
        all_defaults = {d.get("Extension", "").lower(): d.get("ContentType", "")
                        for d in types.iter(f"{{{CTYPES}}}Default")}
        return overrides.get(name) or all_defaults.get(name.rsplit(".", 1)[-1].lower(), "")

    queue: list[tuple[str, str]] = [("", "_rels/.rels")]
    roots: dict[str, Any] = {}  # each XML part read, parsed once
    kept_ids: dict[str, set[str]] = {}  # part -> the relationship ids it keeps
    seen: set[str] = set()
    while queue:
        source, rels_part = queue.pop(0)
        if rels_part in seen or rels_part not in entries:
            continue
        seen.add(rels_part)
        kept_rels = []
        rels = parse_xml(_read(archive, entries[rels_part]))
        for rel in rels.iter(f"{{{PKG_RELS}}}Relationship"):
            target = rel.get("Target", "")
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            if rel.get("TargetMode") == "External":  # a brief writes its own links; nothing else may be remote
                package.dropped.append(f"an external {kind} relationship ({target[:60]})")
                continue
            name = _resolve(source, target)
            ctype = content_type(name) if name else ""
            allowed = (ctype in ALLOWED_TYPES or ctype in MAIN_TYPES and source == "") and \
                kind in ALLOWED_RELATIONSHIPS
            if name is None or name not in entries or not allowed:
                package.dropped.append(f"{name or target} ({kind}, {ctype or 'no content type'})")
                continue
            kept_rels.append(rel)
            if name not in package.parts:
                part = _read(archive, entries[name])
                if ctype in IMAGE_SIGNATURES and not part.startswith(IMAGE_SIGNATURES[ctype]):
                    package.dropped.append(f"{name} (not really {ctype})")
                    kept_rels.pop()
                    continue
                if ctype.endswith("xml"):
                    roots[name] = parse_xml(part)
                package.parts[name] = part
                package.types[name] = CT + "wordprocessingml.document.main+xml" if ctype in MAIN_TYPES else ctype
                folder, base = posixpath.split(name)
                queue.append((name, posixpath.join(folder, "_rels", f"{base}.rels")))
        package.parts[rels_part] = _rels_xml(rels, kept_rels)
        package.types[rels_part] = "application/vnd.openxmlformats-package.relationships+xml"
        kept_ids[source] = {rel.get("Id") for rel in kept_rels}
    for name, root in roots.items():
        cleaned = _without_dropped_references(root, kept_ids.get(name, set()))
        if cleaned is not None:
            package.parts[name] = cleaned
    return package


def _rels_xml(rels: Any, kept: list[Any]) -> bytes:
    for rel in list(rels):
        if rel not in kept:
            rels.remove(rel)
    return etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)


def _without_dropped_references(root: Any, ids: set[str]) -> bytes | None:
    """A part (parsed) without the elements that name a relationship it does not keep (an attached template), or
    None if it has none."""
    stale = [e for e in root.iter() if isinstance(e.tag, str) and (any(
        k.startswith(f"{{{R}}}") and v not in ids for k, v in e.attrib.items())
        or etree.QName(e).localname == "attachedTemplate")]
    if not stale:
        return None
    for element in stale:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
