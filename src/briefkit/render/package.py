"""The Word reference document, read once per process, and the writing of a new package from it.

A brief's DOCX is the reference document's package with the parts a brief owns written afresh: the main
document, styles (conference fonts and sizes; the brief's language for each script, right to left, East Asian
line breaking), numbering (briefkit's list definitions), footnotes, a header and a footer, settings (the
reference's, in Word's current compatibility mode, with the brief's languages and no proofing state), and the
core and custom properties. Every other part the reference document's relationships reach (theme, fonts,
endnotes, custom XML...) is copied as it is, except that the font table gains the brief's fonts it lacks; parts
only its old body, headers or footers used are left out, and so are its extended properties (app.xml:
statistics and the program that saved the reference, not the brief). Reading, parsing and style edits happen
once per reference document (and conference settings and language), not once per brief.
"""

from __future__ import annotations

import copy
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from briefkit.errors import BriefkitError, Problem
from briefkit.render.sanitize import parse_xml, read_package

XML_HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CTYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RT = R + "/"  # relationship types are this plus a name
RT_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
RT_THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
RT_CUSTOM = R + "/custom-properties"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml."
CT_CORE = "application/vnd.openxmlformats-package.core-properties+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"
NSDECLS = f'xmlns:w="{W}" xmlns:r="{R}"'

# Relationships of the main document not copied: what its old body, headers and footers used, and the parts a
# brief writes afresh.
DROPPED = {RT + name for name in ("hyperlink", "image", "header", "footer", "footnotes", "numbering", "styles",
                                   "settings")}
# Package relationships not copied: the reference's statistics and program (app.xml), its custom properties (a
# brief writes its own), its thumbnail.
PACKAGE_DROPPED = {RT + "extended-properties", RT_CUSTOM, RT_THUMBNAIL}
# A draft resolution's styles, one for each level of its one multi-level list: preambular clauses (no number),
# operative clauses, then sub-clauses (a), (i), a., i.
CLAUSE_STYLES = ("Preambular Clause", "Operative Clause", "Sub-clause 1", "Sub-clause 2", "Sub-clause 3",
                 "Sub-clause 4")
# Styles a brief uses; a reference document without one gets the built-in definition.
USED_STYLES = ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "List Paragraph", "Block Text",
               "Source Code", "Thematic Break", "Bibliography", "Table Grid", "Table Heading", "Table Text", "Header",
               "Footer", "Footnote Text", "Footnote Reference", "Hyperlink", "Verbatim Char", "Caption",
               "Internal Mark", *CLAUSE_STYLES)
COMPATIBILITY_MODE = "15"  # Word 2013 and later: anything older opens in "Compatibility Mode"
WORD_URI = "http://schemas.microsoft.com/office/word"
BUILTIN = Path(__file__).resolve().parents[1] / "builtin" / "templates" / "styles" / "reference.docx"

# Schema order of the children this module adds (ECMA-376 CT_RPr, CT_PPr, CT_Style).
RPR_ORDER = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
             "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
             "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs",
             "em", "lang", "eastAsianLayout", "specVanish", "oMath")
PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
             "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
STYLE_ORDER = ("name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority", "semiHidden",
               "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose", "personalReply", "rsid", "pPr",
               "rPr", "tblPr", "trPr", "tcPr", "tblStylePr")
SETTINGS_ORDER = ("writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                  "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                  "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
                  "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
                  "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop", "hideSpellingErrors",
                  "hideGrammaticalErrors", "activeWritingStyle", "proofState", "formsDesign", "attachedTemplate",
                  "linkStyles", "stylePaneFormatFilter", "stylePaneSortMethod", "documentType", "mailMerge",
                  "revisionView", "trackRevisions", "doNotTrackMoves", "doNotTrackFormatting", "documentProtection",
                  "autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
                  "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope", "summaryLength",
                  "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders", "bookFoldRevPrinting",
                  "bookFoldPrinting", "bookFoldPrintingSheets", "drawingGridHorizontalSpacing",
                  "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
                  "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
                  "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData",
                  "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars",
                  "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema",
                  "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
                  "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
                  "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
                  "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                  "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                  "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags",
                  "decimalSymbol", "listSeparator")
# What a reference's settings lose: a proofing state that claims the brief's spelling and grammar were checked, a
# template to attach, a mail merge (its query would run on opening), protection and a preview picture (of the
# reference).
SETTINGS_DROPPED = ("proofState", "attachedTemplate", "mailMerge", "documentProtection", "writeProtection",
                    "savePreviewPicture")
SECT_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
              "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
              "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")


def _xml(data: bytes) -> Any:
    """Parse a part of the reference document (a user's file: no DTD, no entities, no network)."""
    return parse_xml(data)


def w(name: str) -> str:
    """The Clark name of a `w:` element or attribute."""
    return f"{{{W}}}{name}"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


@dataclass(frozen=True)
class Rel:
    id: str
    type: str
    target: str
    external: bool = False

    def xml(self) -> str:
        mode = ' TargetMode="External"' if self.external else ""
        return f'<Relationship Id="{self.id}" Type="{self.type}" Target="{attr(self.target)}"{mode}/>'


@dataclass
class Rels:
    """The relationships of one part; new ones get the next free rId."""

    items: list[Rel] = field(default_factory=list)

    def __post_init__(self) -> None:
        numbers = [int(r.id[3:]) for r in self.items if r.id.startswith("rId") and r.id[3:].isdigit()]
        self.next = max(numbers, default=0) + 1
        self.urls: dict[str, str] = {}

    def add(self, type_: str, target: str, external: bool = False) -> str:
        if external and target in self.urls:
            return self.urls[target]
        rid = f"rId{self.next}"
        self.next += 1
        self.items.append(Rel(rid, type_, target, external))
        if external:
            self.urls[target] = rid
        return rid

    def xml(self) -> bytes:
        body = "".join(r.xml() for r in self.items)
        return f'{XML_HEAD}<Relationships xmlns="{PKG_RELS}">{body}</Relationships>'.encode()


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _resolve(source: str, target: str) -> str:
    """A relationship target as a part name (no leading slash), relative to its source part's folder."""
    if target.startswith("/"):
        return posixpath.normpath(target[1:])
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _read_rels(data: bytes | None) -> list[Rel]:
    if data is None:
        return []
    return [Rel(r.get("Id", ""), r.get("Type", ""), r.get("Target", ""), r.get("TargetMode") == "External")
            for r in _xml(data).iter(f"{{{PKG_RELS}}}Relationship")]


def _set_child(parent: Any, name: str, order: tuple[str, ...]) -> Any:
    """`parent`'s `w:name` child, created in its schema position if missing."""
    found = parent.find(w(name))
    if found is not None:
        return found
    child = etree.Element(w(name))
    rank = order.index(name)
    for index, sibling in enumerate(parent):
        local = etree.QName(sibling).localname if isinstance(sibling.tag, str) else ""
        if local in order and order.index(local) > rank:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


@dataclass(frozen=True)
class StyleSettings:
    """What a conference and the brief's language change in the styles part. A font or language tag that is ''
    is not written: the reference document's own (the built-in one's: the theme's) stays."""

    font: str
    east_asian_font: str
    font_size: float
    line_spacing: float
    size_range: tuple[float, float] | None
    lang_latin: str  # w:lang/@w:val: the language of Latin text (a Latin fallback such as en-GB for zh or ar)
    complex_font: str = ""
    lang_east_asian: str = ""  # w:eastAsia
    lang_complex: str = ""  # w:bidi
    rtl: bool = False  # every paragraph right to left

    @property
    def east_asian(self) -> bool:
        """Whether the brief is in an East Asian language (its line breaking rules on)."""
        return bool(self.lang_east_asian)


class Reference:
    """A reference document's package, parsed once."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        try:
            package = read_package(path, data)  # only the parts a Word document needs, checked
            self.parts, self.dropped = package.parts, package.dropped
            self.defaults = package.defaults
            self.overrides = {name: ctype for name, ctype in package.types.items() if not name.endswith(".rels")}
            self._read()
        except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError, OSError, zlib.error) as err:
            raise BriefkitError([Problem(path, None, f"cannot read the reference document: {err}",
                                         "save it again from Word as a .docx")]) from None
        self._styles: dict[StyleSettings, Deflated] = {}
        self._sections: dict[tuple[object, ...], str] = {}

    def _read(self) -> None:
        # A thumbnail would show the reference document, not the brief; its statistics and properties are its own.
        self.package_rels = [r for r in _read_rels(self.parts.get("_rels/.rels")) if r.type not in PACKAGE_DROPPED]
        main = next((r for r in self.package_rels if r.type == RT + "officeDocument"), None)
        if main is None:
            raise ValueError("it has no main document (save it from Word as a Word Document, not Strict Open XML)")
        self.main = _resolve("", main.target)
        self.main_rels = _read_rels(self.parts.get(rels_name(self.main)))
        document = _with_prefixes(_xml(self.parts[self.main]))
        body = document.find(w("body"))
        if body is None:
            raise ValueError(f"{self.main} has no w:body")
        section = body[-1] if len(body) and body[-1].tag == w("sectPr") else None
        self.section = section if section is not None else etree.Element(w("sectPr"))
        for child in list(self.section):
            if child.tag in (w("headerReference"), w("footerReference"), w("titlePg")):
                self.section.remove(child)
        body.addprevious(etree.Comment("B"))
        document.remove(body)
        self.document_open, self.document_close = etree.tostring(document, encoding="unicode").split("<!--B-->")
        self.styles_tree = _xml(self._part_of(RT + "styles") or _builtin_part("styles"))
        if self.path != BUILTIN:
            _add_missing_styles(self.styles_tree, load_reference(BUILTIN).styles_tree)
        by_name = _style_index(self.styles_tree)[0]
        self.style_ids = {name: style.get(w("styleId"), "") for name, style in by_name.items()}  # lower-case name
        self.numbering = _Numbering(self._part_of(RT + "numbering"), set(self.style_ids.values()))
        self.has_footnotes = self._part_of(RT + "footnotes") is not None
        self.settings_tree = _xml(self._part_of(RT + "settings") or _builtin_part("settings"))
        self._settings: dict[tuple[str, str, str], Deflated] = {}
        fonts = next((r for r in self.main_rels if r.type == RT + "fontTable" and not r.external), None)
        self.font_table_name = _resolve(self.main, fonts.target) if fonts is not None else None
        self._font_tables: dict[tuple[tuple[str, str], ...], tuple[str, Deflated] | None] = {}

    def _part_of(self, rel_type: str) -> bytes | None:
        for rel in self.main_rels:
            if rel.type == rel_type and not rel.external:
                return self.parts.get(_resolve(self.main, rel.target))
        return None

    def styles(self, settings: StyleSettings) -> Deflated:
        """The styles part for a conference's settings, made (and compressed) once per settings."""
        if settings not in self._styles:
            tree = copy.deepcopy(self.styles_tree)
            _link_clause_styles(tree, self.numbering.first_num)
            self._styles[settings] = Deflated(_styled(tree, settings))
        return self._styles[settings]

    def settings(self, latin: str, east_asian: str = "", complex_: str = "") -> Deflated:
        """The settings part: the reference's, in Word's current compatibility mode, its theme fonts' languages
        the brief's (per script: Latin, East Asian, complex; '' left out), without what `SETTINGS_DROPPED`
        names; made once per language."""
        key = (latin, east_asian, complex_)
        if key not in self._settings:
            self._settings[key] = Deflated(_settings(copy.deepcopy(self.settings_tree), *key))
        return self._settings[key]

    def font_table(self, fonts: tuple[tuple[str, str], ...]) -> tuple[str, Deflated] | None:
        """The font table with the brief's fonts (name, script: 'latin', 'east_asian:<tag>', 'complex:<tag>')
        that it lacks, each with what tells Word on a machine without it which font to use instead (`FONT_HINTS`);
        None where it has them all (the reference's is copied as it is). Made once per set of fonts."""
        if self.font_table_name is None or self.font_table_name not in self.parts:
            return None
        if fonts not in self._font_tables:
            tree = _xml(self.parts[self.font_table_name])
            have = {font.get(w("name"), "") for font in tree.iter(w("font"))}
            added = False
            for name, script in fonts:
                if name and name not in have:
                    tree.append(_font_entry(name, script))
                    have.add(name)
                    added = True
            data = XML_HEAD.encode() + etree.tostring(tree, encoding="UTF-8")
            self._font_tables[fonts] = (self.font_table_name, Deflated(data)) if added else None
        return self._font_tables[fonts]

    def section_xml(self, page: tuple[int, int], margins: tuple[int, ...], header: str, footer: str,
                    line_numbers: bool = False, rtl: bool = False) -> str:
        """The reference's section properties with a paper size and margins (twips), a header and footer, line
        numbers (every line, counted through the document) if asked for, and right to left if `rtl` (the page
        numbers and the gutter on the right: `w:bidi`, `w:rtlGutter`)."""
        key = (page, margins, header, footer, line_numbers, rtl)
        if key not in self._sections:
            section = _with_prefixes(copy.deepcopy(self.section))
            for name in ("lnNumType", "bidi", "rtlGutter"):
                for old in section.findall(w(name)):
                    section.remove(old)
            if rtl:
                _set_child(section, "bidi", SECT_ORDER)
                _set_child(section, "rtlGutter", SECT_ORDER)
            if line_numbers:
                numbers = _set_child(section, "lnNumType", SECT_ORDER)
                numbers.set(w("countBy"), "1")
                numbers.set(w("distance"), "283")  # 0.5 cm from the text
                numbers.set(w("restart"), "continuous")
            size = _set_child(section, "pgSz", SECT_ORDER)
            for name in ("orient", "code"):  # portrait; the paper code of the reference's size
                size.attrib.pop(w(name), None)
            size.set(w("w"), str(page[0]))
            size.set(w("h"), str(page[1]))
            margin = _set_child(section, "pgMar", SECT_ORDER)
            for name, value in zip(("top", "bottom", "left", "right"), margins, strict=True):
                margin.set(w(name), str(value))
            for name, default in (("header", "720"), ("footer", "720"), ("gutter", "0")):
                margin.set(w(name), margin.get(w(name), default))
            for tag, rid in (("footerReference", footer), ("headerReference", header)):
                reference = etree.Element(w(tag))
                reference.set(w("type"), "default")
                reference.set(f"{{{R}}}id", rid)
                section.insert(0, reference)
            # Its namespaces are declared on the document element.
            self._sections[key] = re.sub(r' xmlns:\w+="[^"]*"', "", etree.tostring(section, encoding="unicode"))
        return self._sections[key]

    @cached_property
    def kept(self) -> list[tuple[str, Deflated]]:
        """The parts copied as they are, with their relationships parts, compressed once."""
        names = self.kept_parts()
        names += [rels_name(name) for name in names if rels_name(name) in self.parts]
        return [(name, Deflated(self.parts[name])) for name in names]

    def kept_parts(self) -> list[str]:
        """The parts copied as they are: those reached through relationships, minus the ones a brief rewrites."""
        kept: list[str] = []
        seen = {self.main}
        queue = [("", r) for r in self.package_rels if r.type not in (RT + "officeDocument", RT_CORE)]
        queue += [(self.main, r) for r in self.main_rels if r.type not in DROPPED]
        while queue:
            source, rel = queue.pop(0)
            if rel.external:
                continue
            name = _resolve(source, rel.target)
            if name in seen or name not in self.parts:
                continue
            seen.add(name)
            kept.append(name)
            queue += [(name, r) for r in _read_rels(self.parts.get(rels_name(name)))]
        return kept


def _with_prefixes(root: Any) -> Any:
    """`root`, or a copy of it, declaring the `w:` and `r:` prefixes the writer uses."""
    if root.nsmap.get("w") == W and root.nsmap.get("r") == R:
        return root
    nsmap = {k: v for k, v in root.nsmap.items() if k not in ("w", "r")}
    copy_ = etree.Element(root.tag, attrib=dict(root.attrib), nsmap={**nsmap, "w": W, "r": R})
    copy_.text = root.text
    copy_.extend(list(root))
    return copy_


def _builtin_part(kind: str) -> bytes:
    reference = load_reference(BUILTIN)
    found = reference._part_of(RT + kind)
    assert found is not None, f"the built-in reference document has no {kind} part"
    return found


def _styled(tree: Any, settings: StyleSettings) -> bytes:
    """A conference's fonts, sizes and the brief's languages and direction applied to a copy of the reference's
    styles."""
    _complex_twins(tree)
    fonts = (("ascii", settings.font), ("hAnsi", settings.font), ("eastAsia", settings.east_asian_font),
             ("cs", settings.complex_font))
    defaults = tree.find(w("docDefaults"))
    if defaults is None:
        defaults = etree.Element(w("docDefaults"))
        tree.insert(0, defaults)
    rpr = _set_child(_set_child(defaults, "rPrDefault", ("rPrDefault", "pPrDefault")), "rPr", ("rPr",))
    _set_fonts(rpr, fonts)
    for old in rpr.findall(w("lang")):
        rpr.remove(old)
    lang = _set_child(rpr, "lang", RPR_ORDER)
    for key, value in (("val", settings.lang_latin), ("eastAsia", settings.lang_east_asian),
                       ("bidi", settings.lang_complex)):
        if value:
            lang.set(w(key), value)
    if settings.rtl or settings.east_asian:
        ppr = _set_child(_set_child(defaults, "pPrDefault", ("rPrDefault", "pPrDefault")), "pPr", ("pPr",))
        _paragraph_defaults(ppr, settings)
    styles = _style_index(tree)[0]
    normal = styles.get("normal")
    if normal is not None:
        rpr = _set_child(normal, "rPr", STYLE_ORDER)
        _set_fonts(rpr, fonts)
        half_points = str(round(settings.font_size * 2))
        _set_child(rpr, "sz", RPR_ORDER).set(w("val"), half_points)
        _set_child(rpr, "szCs", RPR_ORDER).set(w("val"), half_points)
        ppr = _set_child(normal, "pPr", STYLE_ORDER)
        spacing = _set_child(ppr, "spacing", PPR_ORDER)
        spacing.set(w("line"), str(round(240 * settings.line_spacing)))
        spacing.set(w("lineRule"), "auto")
        if settings.rtl or settings.east_asian:  # again on Normal: a reference's Normal may turn them off
            _paragraph_defaults(ppr, settings)
    note = styles.get("footnote text")
    if note is not None:
        size = str(round(max(settings.font_size - 2, 8) * 2))
        rpr = _set_child(note, "rPr", STYLE_ORDER)
        _set_child(rpr, "sz", RPR_ORDER).set(w("val"), size)
        _set_child(rpr, "szCs", RPR_ORDER).set(w("val"), size)
    if settings.size_range:  # every size the reference document sets, headings and notes included
        low, high = (round(v * 2) for v in settings.size_range)
        for size in (*tree.iter(w("sz")), *tree.iter(w("szCs"))):
            value = size.get(w("val"), "")
            if value.isdigit():
                size.set(w("val"), str(min(max(int(value), low), high)))
    return XML_HEAD.encode() + etree.tostring(tree, encoding="UTF-8")


# Each property of Latin and East Asian text and its twin for complex-script text (Arabic, Hebrew...), which Word
# and LibreOffice read for those scripts alone: a style that is bold for Latin text is bold for Arabic too.
COMPLEX_TWINS = (("b", "bCs"), ("i", "iCs"), ("sz", "szCs"))
# Theme attributes of w:rFonts, which win over the font named beside them.
THEME_FONT = {"ascii": "asciiTheme", "hAnsi": "hAnsiTheme", "eastAsia": "eastAsiaTheme", "cs": "cstheme"}


def _complex_twins(tree: Any) -> None:
    """Give every bold, italic or size in the styles its complex-script twin where it has none (same value)."""
    for name, twin in COMPLEX_TWINS:
        for element in list(tree.iter(w(name))):
            parent = element.getparent()
            if parent is None or parent.tag != w("rPr") or parent.find(w(twin)) is not None:
                continue
            added = _set_child(parent, twin, RPR_ORDER)
            added.attrib.update(element.attrib)


def _set_fonts(rpr: Any, fonts: tuple[tuple[str, str], ...]) -> None:
    """The fonts of each script on an rPr (ascii, hAnsi: Latin; eastAsia; cs: complex script); a script with no
    font ('') keeps what the reference document gives it, so Word takes the theme's font for it."""
    element = _set_child(rpr, "rFonts", RPR_ORDER)
    for key, value in fonts:
        if value:
            element.set(w(key), value)
            element.attrib.pop(w(THEME_FONT[key]), None)


def _paragraph_defaults(ppr: Any, settings: StyleSettings) -> None:
    """Right to left for every paragraph, and East Asian line breaking: the first and last characters of a line
    (kinsoku), punctuation allowed to hang past the margin (overflowPunct), space between East Asian text and
    Latin text or digits (autoSpaceDE, autoSpaceDN), and Latin words never broken across lines. The last is
    `w:wordWrap` *on*: ECMA-376 17.3.1.45 ("Allow Line Breaking At Character Level") says a paragraph with it off
    breaks Latin words at any character, and with it on (or never set) at word boundaries only; Word's own
    "Allow Latin text to wrap in the middle of a word" box writes it off. It is written on, so a reference document
    cannot have turned it off."""
    names = ["bidi"] if settings.rtl else []
    if settings.east_asian:
        names += ["kinsoku", "wordWrap", "overflowPunct", "autoSpaceDE", "autoSpaceDN"]
    for name in names:
        _set_child(ppr, name, PPR_ORDER).attrib.clear()


# What Word on a machine without a brief's font uses instead (the font table's w:altName: "alternative names which
# can be used to locate the font", ECMA-376 17.8.3.1), the font's family and its Windows character set: the font
# shipped with Windows for the same script and style. The fonts CI installs (Noto CJK, Amiri) are rarely on a
# Windows machine; the Song (Ming) faces stand in for the Noto serif CJK ones, the Gothic/Hei faces for the sans
# ones, and Simplified Arabic (the Naskh face among Windows' Arabic fonts) for the Naskh faces Amiri and Noto Naskh
# Arabic. SimSun and SimHei get their Chinese names, the names Chinese Windows lists them under. The character set
# (GB2312 86, Big5 88, Shift JIS 80, Hangul 81, Arabic B2) is what Word's own font substitution matches first; a
# font not listed here gets the one of the brief's language for its script.
FONT_HINTS = {
    "Noto Serif CJK SC": ("SimSun", "roman", "86"), "Noto Sans CJK SC": ("SimHei", "swiss", "86"),
    "Noto Serif CJK TC": ("PMingLiU", "roman", "88"), "Noto Sans CJK TC": ("Microsoft JhengHei", "swiss", "88"),
    "Noto Serif CJK JP": ("MS Mincho", "roman", "80"), "Noto Sans CJK JP": ("MS Gothic", "swiss", "80"),
    "Noto Serif CJK KR": ("Batang", "roman", "81"), "Noto Sans CJK KR": ("Malgun Gothic", "swiss", "81"),
    "Amiri": ("Simplified Arabic", "roman", "B2"), "Noto Naskh Arabic": ("Simplified Arabic", "roman", "B2"),
    "Noto Sans Arabic": ("Arial", "swiss", "B2"), "SimSun": ("宋体", "auto", "86"), "SimHei": ("黑体", "swiss", "86"),
}
# Windows character sets (w:charset, as Word writes them) by language.
CHARSETS = {"zh-tw": "88", "zh-hk": "88", "zh-mo": "88", "zh-hant": "88", "zh": "86", "ja": "80", "ko": "81",
            "ar": "B2", "fa": "B2", "ur": "B2", "he": "B1", "iw": "B1", "th": "DE"}


def _charset(script: str) -> str:
    """The character set of a font for script 'east_asian:zh-CN' or 'complex:ar-SA' ('latin': Western, 00)."""
    tag = script.partition(":")[2].lower()
    for prefix in (tag, "-".join(tag.split("-")[:2]), tag.split("-")[0]):
        if prefix in CHARSETS:
            return CHARSETS[prefix]
    return "00"


def _font_entry(name: str, script: str) -> Any:
    """A font table's w:font for a brief's font (schema order: altName, charset, family, pitch)."""
    alt, family, charset = FONT_HINTS.get(name, ("", "auto", _charset(script)))
    font = etree.Element(w("font"))
    font.set(w("name"), name)
    if alt:
        etree.SubElement(font, w("altName")).set(w("val"), alt)
    etree.SubElement(font, w("charset")).set(w("val"), charset)
    etree.SubElement(font, w("family")).set(w("val"), family)
    etree.SubElement(font, w("pitch")).set(w("val"), "variable")
    return font


def _settings(tree: Any, latin: str, east_asian: str, complex_: str) -> bytes:
    """A copy of the reference's settings made right for a brief (see `Reference.settings`)."""
    for name in SETTINGS_DROPPED:
        for found in tree.findall(w(name)):
            tree.remove(found)
    rid = f"{{{R}}}id"  # the settings part is written without relationships: nothing may point at one
    for element in [e for e in tree.iter() if isinstance(e.tag, str) and rid in e.attrib]:
        if element.getparent() is not None:
            element.getparent().remove(element)
    compat = _set_child(tree, "compat", SETTINGS_ORDER)
    mode = next((c for c in compat.findall(w("compatSetting")) if c.get(w("name")) == "compatibilityMode"), None)
    if mode is None:
        mode = etree.SubElement(compat, w("compatSetting"))
        mode.set(w("name"), "compatibilityMode")
        mode.set(w("uri"), WORD_URI)
    mode.set(w("val"), COMPATIBILITY_MODE)
    lang = _set_child(tree, "themeFontLang", SETTINGS_ORDER)
    lang.attrib.clear()
    for key, value in (("val", latin), ("eastAsia", east_asian), ("bidi", complex_)):
        if value:
            lang.set(w(key), value)
    return XML_HEAD.encode() + etree.tostring(tree, encoding="UTF-8")


def _link_clause_styles(tree: Any, num_id: int) -> None:
    """Tie the resolution's clause styles to the levels of its list (numbering instance `num_id`): a paragraph in
    one of them is numbered at its level, and Word moves it between levels (and styles) with Tab and Shift+Tab."""
    by_name = _style_index(tree)[0]
    for level, name in enumerate(CLAUSE_STYLES):
        style = by_name.get(name.lower())
        if style is None or style.get(w("type"), "paragraph") != "paragraph":
            continue
        ppr = _set_child(style, "pPr", STYLE_ORDER)
        for old in ppr.findall(w("numPr")):
            ppr.remove(old)
        numbering = _set_child(ppr, "numPr", PPR_ORDER)
        if level:
            etree.SubElement(numbering, w("ilvl")).set(w("val"), str(level))
        etree.SubElement(numbering, w("numId")).set(w("val"), str(num_id))


def _style_index(root: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A styles part's `w:style` elements by lower-case name (as Word shows it) and by style id."""
    names, ids = {}, {}
    for style in root.iter(w("style")):
        name = style.find(w("name"))
        if name is not None:
            names[name.get(w("val"), "").lower()] = style
        ids[style.get(w("styleId"), "")] = style
    return names, ids


def _add_missing_styles(tree: Any, builtin: Any) -> None:
    """Copy the built-in definition of each used style the tree lacks (with the styles it is based on)."""
    names, ids = _style_index(tree)
    source_names, source_ids = _style_index(builtin)

    def add(style: Any) -> None:
        if style.get(w("styleId"), "") in ids:
            return
        added = copy.deepcopy(style)
        tree.append(added)
        ids[added.get(w("styleId"), "")] = added
        for ref in ("basedOn", "next", "link"):
            target = added.find(w(ref))
            if target is None:
                continue
            wanted = target.get(w("val"), "")
            if wanted not in ids and wanted in source_ids:
                add(source_ids[wanted])
            if wanted not in ids:
                added.remove(target)

    for name in USED_STYLES:
        if name.lower() not in names and name.lower() in source_names:
            add(source_names[name.lower()])


class _Numbering:
    """The reference's numbering part split around where a brief's definitions and instances go."""

    def __init__(self, data: bytes | None, style_ids: set[str]):
        root = _with_prefixes(_xml(data) if data is not None else etree.Element(w("numbering")))
        for link in root.iter(w("pStyle")):  # a list level tied to a style the document does not have
            if link.get(w("val"), "") not in style_ids and link.getparent() is not None:
                link.getparent().remove(link)
        abstract_ids = [int(a.get(w("abstractNumId"), "0")) for a in root.findall(w("abstractNum"))]
        num_ids = [int(n.get(w("numId"), "0")) for n in root.findall(w("num"))]
        self.first_abstract = max(abstract_ids, default=-1) + 1
        self.first_num = max(num_ids, default=0) + 1
        nums = root.findall(w("num"))
        marker_abstract, marker_num = etree.Comment("A"), etree.Comment("N")
        if nums:
            nums[0].addprevious(marker_abstract)
            nums[-1].addnext(marker_num)
        else:
            cleanup = root.find(w("numIdMacAtCleanup"))
            if cleanup is not None:
                cleanup.addprevious(marker_abstract)
                cleanup.addprevious(marker_num)
            else:
                root.append(marker_abstract)
                root.append(marker_num)
        text = etree.tostring(root, encoding="unicode")
        self.head, rest = text.split("<!--A-->")
        self.middle, self.tail = rest.split("<!--N-->")

    def xml(self, abstracts: str, nums: str) -> bytes:
        return (XML_HEAD + self.head + abstracts + self.middle + nums + self.tail).encode()


MAX_REFERENCE = 32 << 20  # bytes: a reference document is styles and a theme, a few hundred KB


@lru_cache(maxsize=8)
def _load(path: Path, stamp: tuple[float, int]) -> Reference:
    if stamp[1] > MAX_REFERENCE:
        raise BriefkitError([Problem(path, None, f"refused the reference document: it is {stamp[1]:,} bytes (at most "
                                     f"{MAX_REFERENCE:,})", "save it again from Word without pictures or fonts")])
    return Reference(path, path.read_bytes())


def load_reference(path: Path) -> Reference:
    """The parsed reference document at `path`, read again only when the file changes."""
    stat = path.stat()
    return _load(path, (stat.st_mtime, stat.st_size))


class Deflated:
    """A part's bytes compressed once: the reference document's parts and styles go into every brief unchanged."""

    def __init__(self, data: bytes):
        self.size = len(data)
        self.crc = zlib.crc32(data)
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate, zipfile's default level
        self.raw = packer.compress(data) + packer.flush()


def write_package(parts: Iterable[tuple[str, bytes | Deflated]]) -> bytes:
    """A zip package (deflated entries, fixed dates and attributes, so equal input gives equal bytes).

    Written here rather than by `zipfile`, which cannot take data compressed beforehand; `zipfile` reads
    every package back in the tests, as do Word's readers and the schema validator.
    """
    out: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, data in parts:
        entry = data if isinstance(data, Deflated) else Deflated(data)
        encoded = name.encode("utf-8")
        fields = (20, _UTF8_NAME, 8, 0, _DOS_DATE, entry.crc, len(entry.raw), entry.size, len(encoded), 0)
        local = struct.pack("<4s5HL2L2H", b"PK\x03\x04", *fields)
        directory.append(struct.pack("<4s6HL2L5H2L", b"PK\x01\x02", _MADE_BY, *fields, 0, 0, 0, 0o644 << 16,
                                     offset) + encoded)
        out += (local, encoded, entry.raw)
        offset += len(local) + len(encoded) + len(entry.raw)
    central = b"".join(directory)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(central), offset, 0)
    return b"".join(out) + central + end


_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01, the earliest date a zip entry can hold (time 00:00)
_UTF8_NAME = 0x800  # entry names are UTF-8
_MADE_BY = (3 << 8) | 20  # Unix attributes, zip 2.0


def content_types(defaults: dict[str, str], overrides: dict[str, str]) -> bytes:
    items = [f'<Default Extension="{attr(e)}" ContentType="{attr(t)}"/>' for e, t in sorted(defaults.items())]
    items += [f'<Override PartName="/{attr(p)}" ContentType="{attr(t)}"/>' for p, t in sorted(overrides.items())]
    return f'{XML_HEAD}<Types xmlns="{CTYPES}">{"".join(items)}</Types>'.encode()
