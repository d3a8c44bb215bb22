"""A reference document from a stranger: only what a Word document needs reaches a brief."""

from __future__ import annotations

import resource
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, validate_docx

BUILTIN = REPO / "src" / "briefkit" / "builtin" / "templates" / "styles" / "reference.docx"
VBA = "application/vnd.ms-office.vbaProject"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOC_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _reference(root: Path, change) -> Path:
    """The built-in reference document, changed by `change(parts)` (a dict of name -> bytes), in a workspace."""
    with zipfile.ZipFile(BUILTIN) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    change(parts)
    target = root / "templates" / "styles" / "reference.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)
    return target


def _add_rel(parts, rels_part: str, rid: str, kind: str, target: str, external: bool = False) -> None:
    mode = ' TargetMode="External"' if external else ""
    rel = f'<Relationship Id="{rid}" Type="{RT}{kind}" Target="{target}"{mode}/>'
    parts[rels_part] = parts.get(rels_part, f'<Relationships xmlns="{RELS_NS}"></Relationships>'.encode()).replace(
        b"</Relationships>", rel.encode() + b"</Relationships>")


def _macros(parts):
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not really a macro"
    parts["word/activeX/activeX1.xml"] = b"<ax:ocx xmlns:ax='http://schemas.microsoft.com/office/2006/activeX'/>"
    types = parts["[Content_Types].xml"].replace(DOC_MAIN.encode(), MACRO_MAIN.encode())
    parts["[Content_Types].xml"] = types.replace(b"</Types>", f'<Default Extension="bin" ContentType="{VBA}"/>'
                                                 '<Override PartName="/word/activeX/activeX1.xml" ContentType='
                                                 '"application/vnd.ms-office.activeX+xml"/></Types>'.encode())
    _add_rel(parts, "word/_rels/document.xml.rels", "rId900", "vbaProject", "vbaProject.bin")
    _add_rel(parts, "word/_rels/document.xml.rels", "rId901", "control", "activeX/activeX1.xml")


def _attached_template(parts):
    _add_rel(parts, "word/_rels/settings.xml.rels", "rId77", "attachedTemplate", "http://evil.example/t.dotm",
             external=True)
    settings = parts["word/settings.xml"]
    head, sep, tail = settings.partition(b"<w:defaultTabStop")
    parts["word/settings.xml"] = head + b'<w:attachedTemplate r:id="rId77"/>' + sep + tail
    if b"xmlns:r=" not in parts["word/settings.xml"][:500]:
        parts["word/settings.xml"] = parts["word/settings.xml"].replace(
            b"<w:settings ", b'<w:settings xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships" ', 1)


@pytest.mark.parametrize("change, dropped", [
    (_macros, ["vbaProject.bin", "activeX1.xml"]),
    (_attached_template, ["external attachedTemplate relationship"]),
])
def test_macros_templates_and_external_links_are_dropped_with_one_warning(mini, cli, change, dropped):
    path = _reference(mini, change)
    (mini / "briefs" / "two.yaml").write_text((mini / "briefs" / "good.yaml").read_text())
    result = cli("build", "--root", mini, "--format", "docx", "--jobs", "1")
    assert result.code == 0, result.err
    warnings = [line for line in result.err_lines if "left out of every brief" in line]
    assert len(warnings) == 1 and warnings[0].startswith("templates/styles/reference.docx: warning:")
    assert all(word in warnings[0] for word in dropped), warnings[0]
    for name in ("good-third-committee.docx", "two-third-committee.docx"):
        docx = mini / "build" / name
        validate_docx(docx)
        with zipfile.ZipFile(docx) as package:
            names = package.namelist()
            everything = b"".join(package.read(n) for n in names)
        assert not any("vba" in n.lower() or "activex" in n.lower() for n in names)
        assert b"macroEnabled" not in everything and b"evil.example" not in everything
        assert b"attachedTemplate" not in everything
    assert path.is_file()


def _bomb(parts):
    parts["word/padding.bin"] = b"\0" * (300 << 20)  # 300 MB of zeros, a few hundred KB compressed


@pytest.mark.parametrize("change, message", [
    (_bomb, "more than 100 times; a zip bomb?"),
    (lambda parts: parts.__setitem__("../evil.xml", b"<x/>"), "points outside the package"),
    (lambda parts: parts.__setitem__("word/styles.xml", b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + parts["word/styles.xml"]
                                     .split(b"?>", 1)[1]), "DTD"),
    (lambda parts: parts.update({f"junk/{i}.xml": b"<x/>" for i in range(2100)}), "entries (at most 2000)"),
])
def test_a_hostile_reference_document_is_refused_before_it_is_unpacked(mini, cli, change, message):
    _reference(mini, change)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = cli("build", "--root", mini, "--format", "docx,md")
    assert result.code == 1
    assert result.err_lines[0].startswith("templates/styles/reference.docx: error:"), result.err
    assert message in result.err_lines[0]
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KB: nothing was unpacked
    assert not (mini / "build" / "good-third-committee.docx").exists()


def test_a_reference_linked_from_outside_its_folder_is_refused(mini, cli, tmp_path):
    outside = tmp_path / "elsewhere.docx"
    outside.write_bytes(BUILTIN.read_bytes())
    (mini / "templates" / "styles").mkdir(parents=True)
    (mini / "templates" / "styles" / "reference.docx").symlink_to(outside)
    result = cli("build", "--root", mini, "--format", "docx")
    assert result.code == 1 and "symbolic link" in result.err and "reference.docx" in result.err


def _relabelled(parts):
    """Macros, a control and an OLE object that claim to be pictures and XML."""
    parts["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macro"
    parts["word/activeX/activeX1.xml"] = b"<ax:ocx xmlns:ax='http://schemas.microsoft.com/office/2006/activeX'/>"
    parts["word/embeddings/ole1.bin"] = b"\xd0\xcf\x11\xe0 ole"
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/word/vbaProject.bin" ContentType="image/png"/>'
        b'<Override PartName="/word/activeX/activeX1.xml" ContentType="application/xml"/>'
        b'<Override PartName="/word/embeddings/ole1.bin" ContentType="image/png"/></Types>'))
    _add_rel(parts, "word/_rels/document.xml.rels", "rId900", "vbaProject", "vbaProject.bin")
    _add_rel(parts, "word/_rels/document.xml.rels", "rId901", "control", "activeX/activeX1.xml")
    _add_rel(parts, "word/_rels/document.xml.rels", "rId902", "oleObject", "embeddings/ole1.bin")


def _hyperlinked_template(parts):
    _add_rel(parts, "word/_rels/settings.xml.rels", "rId2", "hyperlink", "https://evil.example/t2.dotm",
             external=True)
    _attached_template(parts)
    parts["word/settings.xml"] = parts["word/settings.xml"].replace(b'r:id="rId77"', b'r:id="rId2"')


@pytest.mark.parametrize("change", [_relabelled, _hyperlinked_template])
def test_relabelled_parts_and_typed_links_do_not_slip_through(mini, cli, change):
    _reference(mini, change)
    result = cli("build", "--root", mini, "--format", "docx")
    assert result.code == 0, result.err
    assert "left out of every brief" in result.err
    docx = mini / "build" / "good-third-committee.docx"
    validate_docx(docx)
    with zipfile.ZipFile(docx) as package:
        names = package.namelist()
        everything = b"".join(package.read(n) for n in names)
    assert not any(word in n.lower() for n in names for word in ("vba", "activex", "embeddings"))
    assert b"evil.example" not in everything and b"attachedTemplate" not in everything
    assert b'TargetMode="External"' not in everything


def test_an_oversized_reference_document_is_refused_unread(mini, cli):
    target = mini / "templates" / "styles" / "reference.docx"
    target.parent.mkdir(parents=True)
    with open(target, "wb") as handle:
        handle.truncate(40 << 20)
    result = cli("build", "--root", mini, "--format", "docx")
    assert result.code == 1 and "refused the reference document: it is 41,943,040 bytes" in result.err
