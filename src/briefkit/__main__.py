"""`python -m briefkit`."""

import sys

from briefkit.cli import main

sys.exit(main())
