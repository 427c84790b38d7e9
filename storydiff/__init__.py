"""storydiff: keep the full edit history of news stories in git, and show what changed."""

from __future__ import annotations

__version__ = "0.1.0"
