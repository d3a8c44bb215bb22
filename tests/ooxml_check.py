"""The tests' own OOXML check: every XML part of a DOCX against the ECMA-376 transitional schemas in tests/ooxml/,
plus the package rules Word relies on (content types, relationship targets, r:id references).

Markup compatibility is resolved first, as a consumer that knows only the ISO namespaces does: an
`mc:AlternateContent` becomes its Fallback, and elements and attributes in `mc:Ignorable` namespaces the schemas
do not cover are dropped. Usage: `python tests/ooxml_check.py FILE.docx...` (exit 1 on any problem).
"""

from __future__ import annotations

import io
import posixpath
import sys
import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "ooxml"
OX = "http://schemas.openxmlformats.org/"
MC = OX + "markup-compatibility/2006"
R = OX + "officeDocument/2006/relationships"
RELS = OX + "package/2006/relationships"
TYPES = OX + "package/2006/content-types"
WORD = "http://schemas.microsoft.com/office/word/"
SCHEMA_OF = {  # root element namespace -> schema file
    OX + "wordprocessingml/2006/main": "ISO-IEC29500-4_2016/wml.xsd",
    OX + "drawingml/2006/main": "ISO-IEC29500-4_2016/dml-main.xsd",
    OX + "officeDocument/2006/extended-properties": "ISO-IEC29500-4_2016/shared-documentPropertiesExtended.xsd",
    OX + "officeDocument/2006/custom-properties": "ISO-IEC29500-4_2016/shared-documentPropertiesCustom.xsd",
    OX + "officeDocument/2006/customXml": "ISO-IEC29500-4_2016/shared-customXmlDataProperties.xsd",
    OX + "officeDocument/2006/bibliography": "ISO-IEC29500-4_2016/shared-bibliography.xsd",
    OX + "package/2006/metadata/core-properties": "ECMA-376-2/opc-coreProperties.xsd",
    TYPES: "ECMA-376-2/opc-contentTypes.xsd",
    RELS: "ECMA-376-2/opc-relationships.xsd",
    WORD + "2010/wordml": "microsoft/wml-2010.xsd",
    WORD + "2012/wordml": "microsoft/wml-2012.xsd",
}
KNOWN = {ns for ns in SCHEMA_OF if not ns.startswith(WORD)} | {  # what an ISO-only consumer understands
    OX + "officeDocument/2006/relationships", OX + "officeDocument/2006/math",
                                    OX + "drawingml/2006/wordprocessingDrawing", OX + "drawingml/2006/picture",
                                    OX + "officeDocument/2006/sharedTypes", "urn:schemas-microsoft-com:vml",
                                    "urn:schemas-microsoft-com:office:office", "urn:schemas-microsoft-com:office:word",
                                    "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/",
                                    "http://purl.org/dc/dcmitype/", "http://www.w3.org/2001/XMLSchema-instance",
                                    "http://www.w3.org/XML/1998/namespace", MC}


@cache
def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def _resolve_compatibility(root: etree._Element) -> None:
    """AlternateContent becomes its Fallback; ignorable namespaces we do not know are dropped."""
    for alternate in reversed(list(root.iter(f"{{{MC}}}AlternateContent"))):
        parent = alternate.getparent()
        fallback = alternate.find(f"{{{MC}}}Fallback")
        index = parent.index(alternate)
        parent.remove(alternate)
        for offset, child in enumerate(list(fallback) if fallback is not None else []):
            parent.insert(index + offset, child)
    _strip(root, frozenset())


def _strip(element: etree._Element, ignorable: frozenset[str]) -> None:
    prefixes = element.get(f"{{{MC}}}Ignorable")
    if prefixes:
        ignorable = ignorable | {element.nsmap.get(p) or "" for p in prefixes.split()}
        del element.attrib[f"{{{MC}}}Ignorable"]
    for name in list(element.attrib):
        namespace = etree.QName(name).namespace
        if namespace in ignorable and namespace not in KNOWN:
            del element.attrib[name]
    for child in list(element):
        if not isinstance(child.tag, str):
            continue
        if etree.QName(child).namespace in ignorable and etree.QName(child).namespace not in KNOWN:
            element.remove(child)
        else:
            _strip(child, ignorable)


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def check_docx(docx: Path | bytes) -> list[str]:
    """Every problem of one DOCX (a file or its bytes), as `part:line: message`."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(docx) if isinstance(docx, bytes) else docx) as package:
        names = set(package.namelist())
        roots = {}
        for name in sorted(names):
            if name.endswith((".xml", ".rels")):
                try:
                    roots[name] = etree.fromstring(package.read(name))
                except etree.XMLSyntaxError as err:
                    problems.append(f"{name}: not well-formed: {err}")
    types = roots.get("[Content_Types].xml")
    if types is None:
        return [*problems, "[Content_Types].xml: missing"]
    defaults = {e.get("Extension").lower() for e in types if e.tag == f"{{{TYPES}}}Default"}
    overrides = {e.get("PartName").lstrip("/") for e in types if e.tag == f"{{{TYPES}}}Override"}
    for name in sorted(names - {"[Content_Types].xml"}):
        if not name.endswith("/") and name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            problems.append(f"{name}: no content type")
    for name, root in roots.items():
        namespace = etree.QName(root).namespace
        if namespace in SCHEMA_OF:
            copy = etree.fromstring(etree.tostring(root))
            _resolve_compatibility(copy)
            schema = _schema(SCHEMA_OF[namespace])
            if not schema.validate(copy):
                problems.extend(f"{name}:{e.line}: {e.message}" for e in schema.error_log)
        if name.endswith(".rels"):
            continue
        rels = roots.get(_rels_of(name))
        ids = {r.get("Id") for r in rels} if rels is not None else set()
        for element in root.iter():
            for attribute, value in element.attrib.items():
                if attribute.startswith(f"{{{R}}}") and value not in ids:
                    problems.append(f"{name}: {etree.QName(attribute).localname}='{value}' names no relationship")
    for name, rels in roots.items():
        if not name.endswith(".rels"):
            continue
        source = posixpath.dirname(posixpath.dirname(name))
        for rel in rels:
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(source, target))
            if resolved not in names:
                problems.append(f"{name}: relationship {rel.get('Id')} points at missing part {resolved}")
    return problems


def main(argv: list[str]) -> int:
    failed = False
    for arg in argv:
        for problem in check_docx(Path(arg)):
            print(f"{arg}:{problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
