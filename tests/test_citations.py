"""citations.py's macro lookup, pinned to the citeproc-py version it was tested with, gives citeproc-py's own
output: every example brief's notes and reference lists are compared with a build using the stock lookup."""

from __future__ import annotations

import subprocess
import sys

import citeproc

from briefkit.citations import TESTED_CITEPROC
from conftest import REPO

PROBE = """
import sys
import briefkit.citations as citations
if sys.argv[1] == "stock":
    citations._index_macros = lambda root: None
from briefkit.cli import main
sys.exit(main(["build", "--root", sys.argv[2], "--format", "md", "--force", "--out", sys.argv[3], "--jobs", "1"]))
"""


def test_the_installed_citeproc_is_the_tested_one():
    assert citeproc.__version__ == TESTED_CITEPROC, "test the macro lookup with this version, then update the pin"


def test_fast_macro_lookup_gives_citeprocs_own_citations(tmp_path):
    outputs = {}
    for mode in ("stock", "fast"):
        out = tmp_path / mode
        subprocess.run([sys.executable, "-c", PROBE, mode, str(REPO), str(out)], capture_output=True, check=False)
        outputs[mode] = {path.name: path.read_bytes() for path in sorted(out.glob("*.md"))}
    assert outputs["stock"] and outputs["stock"] == outputs["fast"]
