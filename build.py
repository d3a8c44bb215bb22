#!/usr/bin/env python3
"""Build the briefs in this workspace: the same program as the `briefkit` command."""

import sys

from briefkit.cli import main

sys.exit(main())
