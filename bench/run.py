"""Benchmark: a conference of 200 briefs from the shipped library, against pandoc on the same Markdown.

    python bench/run.py [--runs 3] [--briefs 200] [--jobs 2] [--edits 60] [--serve-only]

Reports medians over the runs of: a cold single-brief build from the command line (a fresh process
with --force, its build folder present; against `python -c "import docx, jinja2, markdown_it, yaml"`),
the full build (DOCX and Markdown, --jobs workers), a no-op rebuild, a rebuild after one snippet edit,
LibreOffice converting --pdfs of the DOCX files in one process (seconds a document), the peak memory
of any one briefkit process, and, in the same run, pandoc (3, from PyPI's `pypandoc-binary` where installed,
else the one on PATH; the report names it) converting the same composed Markdown files
to DOCX, one process per file, `--jobs` at a time. Every build runs as a fresh `python build.py`
process, as a user runs it. Then `briefkit serve`'s edit-to-screen latency: the same workspace served, a page in
headless Chromium (Debian's, through Playwright), and `--edits` edits of a snippet one brief uses, each timed from
the file's write to its new text in the page (median and 95th percentile).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))  # this checkout's briefkit, for the PDF batch run in this process
COUNTRIES = ["CHN", "FRA", "BRA", "IND", "NGA", "MEX", "JPN", "KEN", "DEU", "EGY", "IDN", "ZAF", "CAN", "ARG",
             "TUR", "VNM", "PHL", "THA", "PAK", "ETH", "COL", "ITA", "ESP", "GHA", "PER"]
COMMITTEES = ["csw", "third-committee", "hrc", "ccpcj", "ecosoc", "security-council", "ilo", "unwomen-board"]
EDITED = "recommendations/technology"
BRIEF = """kind: position-paper
country: {country}
committee: {committee}
school: Benchmark University
date: 2027-03-20
topics:
  - title: Trafficking in women and girls
    tags: [trafficking]
    sections:
      - heading: Background
        use: [context/global-picture]
      - heading: International framework
        use: [instruments/palermo-protocol, instruments/cedaw-article-6]
      - heading: Recommendations
        use: [recommendations/legal-frameworks, recommendations/international-cooperation, {edited}]
"""


def make_workspace(root: Path, count: int) -> None:
    """`count` briefs (countries x committees) and one built-in snippet copied in, to edit."""
    (root / "briefs").mkdir(parents=True)
    pairs = [(country, committee) for country in COUNTRIES for committee in COMMITTEES][:count]
    for country, committee in pairs:
        text = BRIEF.format(country=country, committee=committee, edited=EDITED)
        (root / "briefs" / f"{country.lower()}-{committee}.yaml").write_text(text, encoding="utf-8")
    if (REPO / "briefkit.yaml").is_file():  # the libraries the repository's workspace uses
        shutil.copy(REPO / "briefkit.yaml", root / "briefkit.yaml")
    target = root / "snippets" / f"{EDITED}.md"
    target.parent.mkdir(parents=True)
    shutil.copy(REPO / "snippets" / f"{EDITED}.md", target)


PEAK_MB: list[float] = []  # peak resident memory of each briefkit process (a build's workers included)


def timed(command: list[str], cwd: Path, briefkit: bool = True) -> float:
    """Seconds a command takes; a briefkit run's peak memory (largest of it and its workers) goes to PEAK_MB."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    if briefkit:
        PEAK_MB.append(usage.ru_maxrss / 1024)
    return time.perf_counter() - started


def pdf_batch(documents: list[Path]) -> float:
    """Seconds per document for LibreOffice converting `documents` in one process, as briefkit does."""
    from briefkit.pdf import convert

    started = time.perf_counter()
    pdfs = convert({path.stem: path.read_bytes() for path in documents})
    assert len(pdfs) == len(documents)
    return (time.perf_counter() - started) / len(documents)


def build(root: Path, *args: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "--root", str(root), *args]


def find_pandoc() -> str | None:
    """pandoc 3 from PyPI's `pypandoc-binary` (the binary inside the package) where installed, else one on PATH."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "files" / "pandoc"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return shutil.which("pandoc")


def pandoc_version(pandoc: str) -> str:
    first = subprocess.run([pandoc, "--version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]
    return f"{first} ({pandoc})"


def pandoc_all(pandoc: str, sources: list[Path], out: Path, jobs: int) -> float:
    """pandoc, one process per file, `jobs` at a time."""
    def one(source: Path) -> None:
        subprocess.run([pandoc, str(source), "-o", str(out / f"{source.stem}.docx")], check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(one, sources))
    return time.perf_counter() - started


LATENCY_SNIPPET = "notes/latency"


def serve_latency(root: Path, edits: int) -> list[float] | str:
    """Seconds from each write of a snippet one brief uses to its new text in that brief's page in the browser
    (polled every frame), `briefkit serve` running on the workspace; or why it could not be measured."""
    import re
    import select

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if chromium is None:
        return "no chromium on PATH (Debian: apt-get install chromium)"
    snippet = root / "snippets" / f"{LATENCY_SNIPPET}.md"
    snippet.parent.mkdir(parents=True, exist_ok=True)
    snippet.write_text("---\ntitle: Latency\n---\nEdit 0 of the latency snippet.\n", encoding="utf-8")
    brief = sorted((root / "briefs").glob("*.yaml"))[0]
    section = f"      - heading: Latency\n        use: [{LATENCY_SNIPPET}]\n"
    brief.write_text(brief.read_text(encoding="utf-8") + section, encoding="utf-8")
    server = subprocess.Popen(build(root, "serve", "--port", "0"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 60)
        found = re.search(r"http://127\.0\.0\.1:\d+/", server.stdout.readline() if ready else "")
        if not found:
            return "briefkit serve did not start"
        url = found.group(0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, headless=True)
            page = browser.new_page()
            page.set_default_timeout(600_000)  # the server builds every brief first
            page.goto(url)
            page.wait_for_function("() => document.querySelectorAll('tr.brief').length > 0 && "
                                   "!document.querySelector('.state-building')", polling=500)
            page.goto(f"{url}brief/{brief.stem}")
            page.frame_locator("#page").get_by_text("Edit 0 of the latency snippet.").wait_for()
            found_in_page = "(text) => document.getElementById('page').contentDocument.body.innerText.includes(text)"
            times = []
            for number in range(1, edits + 1):
                text = f"Edit {number} of the latency snippet."
                started = time.perf_counter()
                snippet.write_text(f"---\ntitle: Latency\n---\n{text}\n", encoding="utf-8")
                page.wait_for_function(found_in_page, arg=text, polling="raf", timeout=10_000)
                times.append(time.perf_counter() - started)
                time.sleep(0.15)  # a person's next save, not one burst of writes
            browser.close()
        return times
    finally:
        server.terminate()
        server.communicate(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pdfs", type=int, default=20, help="documents in the PDF batch (0: skip it)")
    parser.add_argument("--edits", type=int, default=60, help="edits timed in `briefkit serve` (0: skip it)")
    parser.add_argument("--serve-only", action="store_true", help="measure only `briefkit serve`'s latency")
    args = parser.parse_args()
    # Byte-compile briefkit as installing a wheel does; an editable install under PYTHONDONTWRITEBYTECODE would
    # otherwise compile every module again in every process the benchmark starts.
    # The copy the benchmark runs is this checkout's (PYTHONPATH below), whatever an editable install points at.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "briefkit")], check=True)
    pandoc = find_pandoc()
    results: dict[str, list[float]] = {k: [] for k in ("import", "cold", "full", "noop", "edit", "pandoc", "pdf")}
    with tempfile.TemporaryDirectory(prefix="briefkit-bench-") as tmp:
        root = Path(tmp) / "conference"
        make_workspace(root, args.briefs)
        one = sorted((root / "briefs").glob("*.yaml"))[0].stem
        snippet = root / "snippets" / f"{EDITED}.md"
        original = snippet.read_text(encoding="utf-8")
        jobs = f"--jobs={args.jobs}"
        for run in range(0 if args.serve_only else args.runs):
            results["import"].append(timed([sys.executable, "-c", "import docx, jinja2, markdown_it, yaml"], root,
                                           briefkit=False))
            results["full"].append(timed(build(root, "--format", "docx,md", "--force", jobs), root))
            # A fresh process rebuilding one brief, as after an edit: its build folder (and citation memo) exist.
            results["cold"].append(timed(build(root, one, "--format", "docx,md", "--force", "--jobs=1"), root))
            results["noop"].append(timed(build(root, "--format", "docx,md", jobs), root))
            snippet.write_text(original + f"\nEdited in run {run}.\n", encoding="utf-8")
            results["edit"].append(timed(build(root, "--format", "docx,md", jobs), root))
            markdown = sorted((root / "build").glob("*.md"))
            pandoc_out = Path(tmp) / "pandoc"
            pandoc_out.mkdir(exist_ok=True)
            if pandoc:
                results["pandoc"].append(pandoc_all(pandoc, markdown, pandoc_out, args.jobs))
            if args.pdfs and shutil.which("soffice"):
                results["pdf"].append(pdf_batch(sorted((root / "build").glob("*.docx"))[: args.pdfs]))
        count = len(list((root / "briefs").glob("*.yaml")))
        latency = serve_latency(root, args.edits) if args.edits else None
    if args.serve_only:
        print_latency(latency, count)
        return 0
    median = {k: statistics.median(v) for k, v in results.items() if v}
    print(f"pandoc: {pandoc_version(pandoc) if pandoc else 'not found (pip install pypandoc-binary)'}")
    print(f"briefkit benchmark: {count} briefs, {args.runs} runs, {args.jobs} jobs, {os.cpu_count()} cores "
          f"(medians)")
    rows = [
        ("import docx, jinja2, markdown_it, yaml", median["import"], ""),
        ("cold single-brief CLI build (docx, md)", median["cold"],
         f"{median['cold'] / median['import']:.2f}x the import (target <= 1.5x)"),
        (f"full build, {count} briefs (docx, md)", median["full"], ""),
        ("no-op rebuild", median["noop"], "target < 0.5 s"),
        ("rebuild after one snippet edit", median["edit"], f"{count} briefs use it"),
    ]
    if "pandoc" in median:
        rows.append((f"pandoc, {count} files to DOCX, {args.jobs} at a time", median["pandoc"],
                     f"briefkit full build is {median['pandoc'] / median['full']:.2f}x faster (target >= 7x)"))
    for name, seconds, note in rows:
        print(f"  {name:<45} {seconds:8.3f} s  {note}")
    if "pdf" in median:
        print(f"  {f'PDF, {args.pdfs} documents in one soffice batch':<45} {median['pdf']:8.3f} s  a document "
              f"(target <= 0.25 s)")
    print(f"  {'peak memory of any one briefkit process':<45} {max(PEAK_MB):8.1f} MB  target < 150 MB")
    print_latency(latency, count)
    return 0


def print_latency(latency: list[float] | str | None, count: int) -> None:
    if isinstance(latency, list):
        p95 = statistics.quantiles(latency, n=100, method="inclusive")[94]
        print(f"briefkit serve, {count} briefs: edit-to-screen latency over {len(latency)} edits of a snippet one "
              f"brief uses: median {statistics.median(latency) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
              "(target p95 <= 200 ms)")
    elif latency:
        print(f"briefkit serve latency not measured: {latency}")


if __name__ == "__main__":
    raise SystemExit(main())
