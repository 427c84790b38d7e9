"""Domain exceptions. The library raises these; only the CLI turns them into messages.

Every message is a complete sentence for a person, with no traceback needed to understand it.
"""

from __future__ import annotations


class StorydiffError(Exception):
    """Base class of every error storydiff reports to its users."""


class InputError(StorydiffError):
    """An article file, option value or other user input cannot be used."""


class InvalidStoryId(InputError):
    """A story id or version reference breaks the naming rules."""


class StoryNotFound(StorydiffError):
    """The archive holds no story with that id."""


class VersionNotFound(StorydiffError):
    """The story exists but has no version matching the reference."""


class ArchiveError(StorydiffError):
    """The archive is missing, unreadable, locked or could not be written."""
