"""briefkit: compose sourced Markdown snippets into Model UN delegate briefs."""

__version__ = "0.1.0"
