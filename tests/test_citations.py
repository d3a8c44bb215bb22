"""cslstyles.py's macro lookup, pinned to the citeproc-py version it was tested with, gives citeproc-py's own
output: every example brief's notes and reference lists are compared with a build using the stock lookup."""

from __future__ import annotations

import os
import subprocess
import sys

import citeproc

from briefkit.citations import TESTED_CITEPROC
from conftest import REPO

PROBE = """
import sys
import briefkit.cslstyles as cslstyles
if sys.argv[1] == "stock":
    cslstyles._index_macros = lambda root: None
from briefkit.cli import main
sys.exit(main(["build", "--root", sys.argv[2], "--format", "md", "--force", "--out", sys.argv[3], "--jobs", "1"]))
"""


def test_the_installed_citeproc_is_the_tested_one():
    assert citeproc.__version__ == TESTED_CITEPROC, "test the macro lookup with this version, then update the pin"


def test_fast_macro_lookup_gives_citeprocs_own_citations(tmp_path):
    outputs = {}
    for mode in ("stock", "fast"):
        out = tmp_path / mode
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / f"cache-{mode}")}  # no memo shared between the two
        subprocess.run([sys.executable, "-c", PROBE, mode, str(REPO), str(out)], capture_output=True, check=False,
                       env=env)
        outputs[mode] = {path.name: path.read_bytes() for path in sorted(out.glob("*.md"))}
    assert outputs["stock"] and outputs["stock"] == outputs["fast"]
