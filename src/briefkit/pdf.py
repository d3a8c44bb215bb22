"""PDF through LibreOffice: a whole run's documents converted by one `soffice` process."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

INSTALL_HINT = ("install LibreOffice: 'sudo apt-get install libreoffice-writer-nogui' (Debian, Ubuntu), "
                "'brew install --cask libreoffice' (macOS), or https://www.libreoffice.org/download/")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
TIMEOUT_BASE, TIMEOUT_PER_FILE = 60, 10
# LibreOffice's PDF export options (LibreOffice 7.4 and later read them as JSON after the filter name): a tagged
# PDF, so screen readers get the headings, lists, tables and reading order, and a viewer's title bar showing the
# document's title rather than its file name.
EXPORT_OPTIONS = {"UseTaggedPDF": True, "DisplayPDFDocTitle": True}


def export_filter() -> str:
    """The `--convert-to` argument: PDF through Writer's exporter with `EXPORT_OPTIONS`."""
    options = ",".join(f'"{name}":{{"type":"boolean","value":"{str(value).lower()}"}}'
                       for name, value in EXPORT_OPTIONS.items())
    return f"pdf:writer_pdf_Export:{{{options}}}"


class PdfUnavailable(Exception):
    """LibreOffice is missing or failed; the message says what to do."""


def soffice() -> str | None:
    """The LibreOffice program, or None. BRIEFKIT_SOFFICE names another (or 'none' to act as if missing)."""
    named = os.environ.get("BRIEFKIT_SOFFICE")
    if named:
        return None if named == "none" else shutil.which(named)
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(documents: Mapping[str, bytes]) -> dict[str, bytes]:
    """DOCX documents (name -> bytes) as PDFs (name -> bytes), converted in one soffice process."""
    if not documents:
        return {}
    program = soffice()
    if program is None:
        raise PdfUnavailable(f"LibreOffice (soffice) was not found, so no PDF can be made; {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="briefkit-pdf-") as tmp:
        work = Path(tmp)
        inputs = []
        for index, data in enumerate(documents.values()):
            path = work / f"{index:05d}.docx"  # safe names; the caller's names may hold any character
            path.write_bytes(data)
            inputs.append(path)
        out = work / "pdf"
        command = [program, "--headless", "--norestore", "--nologo", "--nodefault",
                   f"-env:UserInstallation={(work / 'profile').as_uri()}", "--convert-to", export_filter(),
                   "--outdir", str(out), *map(str, inputs)]
        done = _run(command, TIMEOUT_BASE + TIMEOUT_PER_FILE * len(inputs))
        results = {}
        for (name, _), path in zip(documents.items(), inputs, strict=True):
            pdf = out / f"{path.stem}.pdf"
            if not pdf.is_file():
                detail = (done.stderr or done.stdout).strip().splitlines()
                raise PdfUnavailable(f"LibreOffice made no PDF of {name}"
                                     + (f": {detail[-1]}" if detail else f" (exit status {done.returncode})"))
            results[name] = pdf.read_bytes()
    return results


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run LibreOffice in a process group of its own, so that a timeout, Ctrl-C or SIGTERM stops all of it
    (soffice starts soffice.bin, which a plain kill would leave running)."""
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
    except OSError as err:
        raise PdfUnavailable(f"LibreOffice could not be started: {err}") from err
    try:
        out, err_text = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as err:
        _kill_group(process)
        raise PdfUnavailable(f"LibreOffice took longer than {timeout:.0f} s to convert to PDF, and was stopped") \
            from err
    except BaseException:
        _kill_group(process)
        raise
    return subprocess.CompletedProcess(command, process.returncode, out, err_text)


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.communicate()


def page_count(pdf: bytes) -> int:
    """Pages in a PDF as LibreOffice writes it (one page object per page)."""
    return len(_PAGE.findall(pdf))
