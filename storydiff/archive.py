"""The archive: every version of every story, kept in a bare git repository.

This is the only module that knows about git. Layout:

* one ref per story, ``refs/stories/<story-id>``, so looking a story up never depends on
  how many other stories the archive holds;
* one commit per version, appended in the order versions were archived; the author date is
  the version's time, the committer date when it was archived;
* each commit's tree holds ``article.txt`` (headline, note and body paragraphs, one block
  each, blank lines between, so ``git diff --word-diff`` reads well) and ``meta.json``;
* the commit message is the headline, the note, and trailers that describe the whole story
  as of that commit (``Story-Versions``, ``Story-First-Seen`` …), so listing stories reads
  only the story refs' tips.

Writes build the objects first and then move the story ref with a compare-and-swap
(``git update-ref REF NEW OLD``); a writer that loses a race re-reads and retries, so two
writers never drop each other's version, and a crash leaves at worst unreferenced objects.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ArchiveError, InputError, StoryNotFound, VersionNotFound
from .ids import VersionRef, validate_story_id
from .model import (
    Article,
    ArticleMeta,
    ParagraphDelta,
    StorySummary,
    Version,
    format_time,
    paragraph_delta,
    parse_time,
)

if TYPE_CHECKING:
    import git

STORY_REF_PREFIX = "refs/stories/"
#: Where ``sync`` keeps a remote's story refs while it works; emptied when it is done.
_SYNC_PREFIX = "refs/storydiff-sync/"
ARTICLE_FILE = "article.txt"
META_FILE = "meta.json"
#: The page a version was extracted from, when it came from the web (git compresses it).
PAGE_FILE = "page.html"
META_SCHEMA = "storydiff.meta/1"
DEFAULT_ARCHIVE = "storydiff-archive"
ARCHIVE_ENV = "STORYDIFF_ARCHIVE"

#: How long a writer keeps retrying a story ref that other writers hold or move.
WRITE_DEADLINE_SECONDS = 20.0
#: git holds a ref's lock file for milliseconds; one this old was left by a writer that was
#: killed, and is removed (and reported) so that it cannot block the story forever.
STALE_LOCK_SECONDS = 10.0

_NO_COMMIT = "0" * 40
_IDENTITY = {
    "GIT_AUTHOR_NAME": "storydiff",
    "GIT_AUTHOR_EMAIL": "storydiff@localhost",
    "GIT_COMMITTER_NAME": "storydiff",
    "GIT_COMMITTER_EMAIL": "storydiff@localhost",
}
# Settings every archive gets. fsync makes a version that was reported saved survive a
# power cut; reflogs keep every ref move, so even a mistaken manual reset loses nothing.
_ARCHIVE_CONFIG = {
    "core.logAllRefUpdates": "always",
    "core.fsync": "committed",
    "core.fsyncMethod": "fsync",
    "storydiff.layout": "1",
}


@dataclass(frozen=True)
class SaveResult:
    """What :meth:`Archive.save` did.

    ``created`` is False when the text equals the version it would follow, in which case
    nothing was written and ``version`` is that existing version.
    """

    created: bool
    version: Version
    delta: ParagraphDelta
    #: Lock files left by crashed writers that had to be removed to record this version.
    removed_locks: tuple[str, ...] = ()


@dataclass(frozen=True)
class PendingVersion:
    """A version waiting to be imported: its article (normalised) and its times."""

    article: Article
    at: datetime
    archived: datetime | None = None
    page: bytes | None = None


@dataclass(frozen=True)
class ImportResult:
    """What :meth:`Archive.import_stories` did."""

    stories: int
    written: int
    unchanged: int


@dataclass(frozen=True)
class SyncResult:
    """What :meth:`Archive.sync` did, story by story."""

    pulled: tuple[str, ...]
    pushed: tuple[str, ...]
    merged: tuple[str, ...]


@dataclass(frozen=True)
class FsckReport:
    """What :meth:`Archive.fsck` checked and found wrong (nothing, when ``problems`` is empty)."""

    stories: int
    versions: int
    problems: tuple[str, ...]


@dataclass(frozen=True)
class _StoryState:
    """The trailers of a story ref's tip commit: the story as of its last write."""

    versions: int
    first_seen: datetime
    last_seen: datetime
    latest_headline: str
    latest_hash: str


def _now() -> datetime:
    """The current time, or ``$SOURCE_DATE_EPOCH`` when set (reproducible archives)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def default_archive_path() -> Path:
    """The archive used when none is named: ``$STORYDIFF_ARCHIVE`` or ``./storydiff-archive``."""
    return Path(os.environ.get(ARCHIVE_ENV) or DEFAULT_ARCHIVE)


class Archive:
    """A storydiff archive on disk. Open one with :meth:`open` or :meth:`create`."""

    def __init__(self, repo: git.Repo) -> None:
        self._repo = repo
        self.path = Path(repo.git_dir)

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Archive:
        """Open an existing archive; raise ArchiveError when there is none at ``path``."""
        import git

        archive_path = Path(path)
        if not archive_path.exists():
            raise ArchiveError(
                f"no archive at {archive_path} (create one with 'storydiff init {archive_path}')"
            )
        try:
            repo = git.Repo(archive_path)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ArchiveError(
                f"{archive_path} is not a storydiff archive (not a git repository)"
            ) from None
        return cls(repo)

    @classmethod
    def create(cls, path: str | Path) -> tuple[Archive, bool]:
        """Open the archive at ``path``, creating it first if needed.

        Returns the archive and whether it was created. Creation is atomic: the repository
        is set up in a temporary folder beside ``path`` and renamed into place, so a
        concurrent writer or a crash never sees a half-made archive.
        """
        import git

        target = Path(path)
        if target.exists() and not (target.is_dir() and not any(target.iterdir())):
            return cls.open(target), False
        parent = target.absolute().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
        except OSError as error:
            raise ArchiveError(f"cannot create an archive at {target}: {error.strerror}") from None
        try:
            repo = git.Repo.init(staging, bare=True)
            with repo.config_writer() as config:
                for dotted, value in _ARCHIVE_CONFIG.items():
                    section, _, option = dotted.rpartition(".")
                    config.set_value(section, option, value)
            (staging / "description").write_text("storydiff archive of news story versions\n")
            repo.close()
            try:
                staging.rename(target)
            except OSError:
                # Another process created it first: use theirs.
                if target.exists():
                    return cls.open(target), False
                raise
        except OSError as error:
            raise ArchiveError(f"cannot create an archive at {target}: {error}") from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
        return cls.open(target), True

    def close(self) -> None:
        """Stop the git helper processes this archive started."""
        self._repo.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- git plumbing ----------------------------------------------------------------------

    def _git(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> str:
        import git

        command = ["git", *args]
        try:
            if stdin is None:
                output = self._repo.git.execute(command, env={**_IDENTITY, **(env or {})})
            else:
                with tempfile.TemporaryFile() as stream:
                    stream.write(stdin)
                    stream.seek(0)
                    output = self._repo.git.execute(
                        command, istream=stream, env={**_IDENTITY, **(env or {})}
                    )
        except git.GitCommandError as error:
            raise _GitFailed(_stderr_of(error)) from None
        assert isinstance(output, str)
        return output

    def _object(self, name: str) -> bytes | None:
        """The content of object ``name`` (``SHA``, ``SHA:path``), or None if missing."""
        try:
            _, _, _, data = self._repo.git.get_object_data(name)
        except ValueError:
            return None
        return bytes(data)

    def _tip(self, story: str) -> str | None:
        try:
            return self._git("rev-parse", "--verify", "--quiet", _ref(story))
        except _GitFailed:
            return None

    # -- reading ---------------------------------------------------------------------------

    def stories(self) -> Iterator[StorySummary]:
        """Every story in the archive, ordered by id, streamed as git lists the refs."""
        process = self._repo.git.execute(
            [
                "git",
                "for-each-ref",
                "--format=%(refname)%00%(objectname)%00%(contents:trailers:only,unfold)%00",
                STORY_REF_PREFIX,
            ],
            as_process=True,
        )
        assert process.proc is not None and process.proc.stdout is not None
        stdout = process.proc.stdout
        pending = b""
        while chunk := stdout.read(65536):
            pending += chunk
            *records, pending = pending.split(b"\x00\n")
            for record in records:
                yield _summary_from_record(record)
        process.wait()

    def history(self, story: str) -> list[Version]:
        """Every version of ``story`` in time order (ties in the order they were archived)."""
        validate_story_id(story)
        tip = self._tip(story)
        if tip is None:
            raise StoryNotFound(f"no story {story!r} in the archive")
        return self._history_from(story, tip)

    def _history_from(self, story: str, tip: str) -> list[Version]:
        commits = self._git("rev-list", "--no-merges", "--topo-order", "--reverse", tip).split()
        return _distinct_in_time_order([self._load_version(story, c) for c in commits])

    def _load_version(self, story: str, commit: str) -> Version:
        meta_data = self._object(f"{commit}:{META_FILE}")
        text_data = self._object(f"{commit}:{ARTICLE_FILE}")
        if meta_data is None or text_data is None:
            raise ArchiveError(f"story {story!r}: commit {commit[:12]} is not a storydiff version")
        try:
            meta = json.loads(meta_data)
            blocks = text_data.decode("utf-8").rstrip("\n").split("\n\n")
            note = meta.get("note")
            body = blocks[2:] if note is not None else blocks[1:]
            article = Article(
                headline=blocks[0],
                note=note,
                paragraphs=tuple(block for block in body if block),
                meta=ArticleMeta(
                    url=meta.get("url"),
                    story=story,
                    published=_optional_time(meta.get("published")),
                    updated=_optional_time(meta.get("updated")),
                    byline=meta.get("byline"),
                    source=meta.get("source"),
                ),
            )
            return Version(
                story=story,
                number=0,
                time=parse_time(meta["time"]),
                archived=parse_time(meta["archived"]),
                article=article,
                commit=commit,
            )
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
            raise ArchiveError(
                f"story {story!r}: version in commit {commit[:12]} is damaged ({error})"
            ) from None

    def version(self, ref: VersionRef) -> Version:
        """The version ``ref`` names; raise VersionNotFound when there is none."""
        versions = self.history(ref.story)
        return select_version(versions, ref)

    # -- writing ---------------------------------------------------------------------------

    def save(
        self,
        story: str,
        article: Article,
        *,
        at: datetime | None = None,
        archived: datetime | None = None,
        page: bytes | None = None,
    ) -> SaveResult:
        """Record ``article`` as a version of ``story`` unless it equals the version before it.

        ``at`` is the version's time (default: the article's ``updated`` or ``published``
        time, else now). A version older than the story's latest is placed in time order
        when the history is read; the archive itself is append-only.
        """
        validate_story_id(story)
        now = _now()
        at = (at or article.meta.updated or article.meta.published or now).astimezone(UTC)
        archived = (archived or now).astimezone(UTC)
        article = replace(article, meta=replace(article.meta, story=story))
        content_hash = article.content_hash()
        tree = self._write_tree(article, at, archived, content_hash, page)
        deadline = time.monotonic() + WRITE_DEADLINE_SECONDS
        attempt = 0
        removed_locks: list[str] = []
        while True:
            attempt += 1
            tip = self._tip(story)
            state = self._state(story, tip) if tip else None
            previous = self._predecessor(story, tip, state, at)
            if previous is not None and previous.article.content_hash() == content_hash:
                return SaveResult(False, previous, ParagraphDelta(0, 0))
            new_state = _next_state(state, article, at, content_hash)
            message = _commit_message(story, article, new_state)
            commit = self._commit_tree(tree, [tip] if tip else [], message, at, archived)
            try:
                self._git(
                    "update-ref",
                    "-m",
                    f"storydiff: archive version of {story}",
                    _ref(story),
                    commit,
                    tip or _NO_COMMIT,
                )
            except _GitFailed as failure:
                self._check_ref_conflict(story, failure.stderr)
                if "cannot lock ref" not in failure.stderr:
                    raise
                stale = self._remove_stale_lock(story)
                if stale:
                    removed_locks.append(stale)
                    continue
                if time.monotonic() > deadline:
                    raise self._busy_error(story, failure.stderr) from None
                # Another writer moved or holds the ref: back off a little, re-read, retry.
                time.sleep(min(0.5, 0.005 * attempt) * (0.5 + random.random()))
                continue
            if state is None or at >= state.last_seen:
                version = Version(story, new_state.versions, at, archived, article, commit)
            else:
                # Placed among older versions: its number is its place in time order.
                version = next(v for v in self.history(story) if v.commit == commit)
            delta = paragraph_delta(previous.article if previous else None, article)
            return SaveResult(True, version, delta, tuple(removed_locks))

    # -- bulk import -----------------------------------------------------------------------

    def import_stories(
        self,
        stories: Iterable[tuple[str, Sequence[PendingVersion]]],
        progress: Callable[[int], None] | None = None,
    ) -> ImportResult:
        """Append many versions at once through ``git fast-import``.

        ``stories`` yields each story's new versions in time order. A version equal to the
        one before it is skipped, as :meth:`save` would. Refs move only when fast-import
        ends, and only forward: a story that another writer changed meanwhile is not
        overwritten but imported again through :meth:`save`, so no version is lost. Versions
        older than a story's latest archived one also go through :meth:`save`.
        """
        known = {summary.story: summary for summary in self.stories()}
        now = _now()
        written = unchanged = 0
        imported: dict[str, list[PendingVersion]] = {}
        late: list[tuple[str, PendingVersion]] = []
        last_mark: dict[str, int] = {}
        mark = 0
        with tempfile.TemporaryDirectory(prefix="storydiff-import-") as work:
            marks_file = Path(work) / "marks"
            errors_file = Path(work) / "errors"
            with errors_file.open("wb") as errors:
                process = subprocess.Popen(
                    [
                        "git",
                        "--git-dir",
                        str(self.path),
                        "fast-import",
                        "--quiet",
                        "--done",
                        "--date-format=raw",
                        f"--export-marks={marks_file}",
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL,
                    stderr=errors,
                    env={**os.environ, **_IDENTITY},
                )
                assert process.stdin is not None
                stream = process.stdin
                try:
                    for story, versions in stories:
                        validate_story_id(story)
                        summary = known.get(story)
                        state = self._state(story, summary.tip) if summary is not None else None
                        parent = summary.tip if summary is not None else None
                        for pending in versions:
                            at = pending.at.astimezone(UTC)
                            if state is not None and at < state.last_seen:
                                late.append((story, pending))
                                continue
                            article = replace(
                                pending.article,
                                meta=replace(pending.article.meta, story=story),
                            )
                            content_hash = article.content_hash()
                            if state is not None and state.latest_hash == content_hash:
                                unchanged += 1
                                continue
                            state = _next_state(state, article, at, content_hash)
                            mark += 1
                            archived = (pending.archived or now).astimezone(UTC)
                            stream.write(
                                _fast_import_commit(
                                    story,
                                    article,
                                    at,
                                    archived,
                                    content_hash,
                                    state,
                                    mark,
                                    parent,
                                    pending.page,
                                )
                            )
                            parent = None
                            last_mark[story] = mark
                            imported.setdefault(story, []).append(pending)
                            written += 1
                        if progress:
                            progress(len(versions))
                    stream.write(b"done\n")
                    stream.close()
                except BrokenPipeError:
                    pass
                except BaseException:
                    process.kill()
                    process.wait()
                    raise
                process.wait()
            marks = _read_marks(marks_file)
            failure = errors_file.read_text(encoding="utf-8", errors="replace").strip()
        if process.returncode != 0 and not marks:
            raise ArchiveError(f"git fast-import failed: {failure.splitlines()[-1:] or '?'}")
        # Stories whose ref did not end where this import put it lost a race with another
        # writer (fast-import never forces a ref): record their versions the careful way.
        current = {summary.story: summary.tip for summary in self.stories()}
        for story, final_mark in last_mark.items():
            if current.get(story) != marks.get(final_mark):
                for pending in imported[story]:
                    self.save(
                        story,
                        pending.article,
                        at=pending.at,
                        archived=pending.archived,
                        page=pending.page,
                    )
        touched = set(last_mark)
        seen: dict[str, set[tuple[datetime, str]]] = {}
        for story, pending in late:
            if story not in seen:
                seen[story] = {(v.time, v.article.content_hash()) for v in self.history(story)}
            key = (pending.at.astimezone(UTC), pending.article.content_hash())
            if key in seen[story]:
                unchanged += 1  # already archived: importing the same export twice is a no-op
                continue
            result = self.save(
                story,
                pending.article,
                at=pending.at,
                archived=pending.archived,
                page=pending.page,
            )
            seen[story].add(key)
            written += result.created
            unchanged += not result.created
            if result.created:
                touched.add(story)
        return ImportResult(len(touched), written, unchanged)

    # -- checking ----------------------------------------------------------------------------

    def fsck(self, progress: Callable[[int, int], None] | None = None) -> FsckReport:
        """Check the whole archive and describe every problem in plain words.

        git's own ``fsck`` checks every object and link; then every story ref must point at
        a chain of storydiff versions whose metadata parses, whose content hash matches its
        text, and whose latest commit's trailers agree with its history. Leftover lock files
        are reported too.
        """
        problems: list[str] = []
        try:
            self._git("fsck", "--no-dangling", "--no-progress", "--strict")
        except _GitFailed as failure:
            problems.append(f"git fsck found damage: {failure.stderr}")
        for lock in sorted((self.path / "refs").rglob("*.lock")):
            age = time.time() - lock.stat().st_mtime
            problems.append(
                f"lock file {lock} is {age:.0f} s old (a crashed writer left it: delete it "
                "if no storydiff or git process is running)"
            )
        refs = self._refs(STORY_REF_PREFIX)
        versions = 0
        for done, (story, tip) in enumerate(sorted(refs.items()), start=1):
            try:
                validate_story_id(story)
            except InputError as error:
                problems.append(f"ref {_ref(story)}: {error}")
                continue
            try:
                history = self._history_from(story, tip)
            except ArchiveError as error:
                problems.append(str(error))
                continue
            versions += len(history)
            for version in history:
                meta = json.loads(self._object(f"{version.commit}:{META_FILE}") or b"{}")
                if meta.get("content_hash") != version.article.content_hash():
                    problems.append(
                        f"story {story!r}: version {version.number} (commit "
                        f"{version.commit[:12]}) does not match its content hash"
                    )
                if meta.get("story") != story:
                    problems.append(
                        f"story {story!r}: version {version.number} (commit "
                        f"{version.commit[:12]}) says it belongs to {meta.get('story')!r}"
                    )
            try:
                state = self._state(story, tip)
            except ArchiveError as error:
                problems.append(str(error))
            else:
                if history and state.latest_hash != history[-1].article.content_hash():
                    problems.append(
                        f"story {story!r}: its latest commit names a latest version that is "
                        "not the latest in its history"
                    )
            if progress:
                progress(done, len(refs))
        return FsckReport(stories=len(refs), versions=versions, problems=tuple(problems))

    # -- sync --------------------------------------------------------------------------------

    def sync(self, remote: str, attempts: int = 3) -> SyncResult:
        """Exchange every story with a git remote (a path or any URL git understands).

        Stories only one side has are copied; where one side is ahead, the other
        fast-forwards; where both added versions, a merge commit records the union (every
        distinct version of both, in time order), so both sides stay fast-forwardable and
        nothing is ever force-pushed. If the remote moves while this runs, the push is
        refused and the round is repeated.
        """
        remote = _absolute_if_local(remote)
        pulled: set[str] = set()
        pushed: set[str] = set()
        merged: set[str] = set()
        for _ in range(attempts):
            try:
                self._git(
                    "fetch",
                    "--quiet",
                    "--no-tags",
                    "--prune",
                    remote,
                    f"+{STORY_REF_PREFIX}*:{_SYNC_PREFIX}*",
                )
            except _GitFailed as failure:
                raise ArchiveError(f"cannot fetch from {remote}: {failure.stderr}") from None
            local = self._refs(STORY_REF_PREFIX)
            theirs = self._refs(_SYNC_PREFIX)
            for story in sorted(theirs):
                mine, their = local.get(story), theirs[story]
                if mine == their:
                    continue
                if mine is None or self._is_ancestor(mine, their):
                    self._move_ref(story, their, mine)
                    pulled.add(story)
                elif not self._is_ancestor(their, mine):
                    self._move_ref(story, self._merge(story, mine, their, remote), mine)
                    merged.add(story)
            local = self._refs(STORY_REF_PREFIX)
            outgoing = sorted(s for s, tip in local.items() if theirs.get(s) != tip)
            if not outgoing:
                self._drop_sync_refs()
                return SyncResult(tuple(sorted(pulled)), (), tuple(sorted(merged)))
            try:
                self._git(
                    "push",
                    "--quiet",
                    "--porcelain",
                    remote,
                    f"{STORY_REF_PREFIX}*:{STORY_REF_PREFIX}*",
                )
            except _GitFailed as failure:
                if "rejected" not in failure.stderr and "fetch first" not in failure.stderr:
                    raise ArchiveError(f"cannot push to {remote}: {failure.stderr}") from None
                continue  # the remote moved since the fetch: fetch and merge again
            pushed.update(outgoing)
            self._drop_sync_refs()
            return SyncResult(tuple(sorted(pulled)), tuple(sorted(pushed)), tuple(sorted(merged)))
        self._drop_sync_refs()
        raise ArchiveError(
            f"{remote} kept changing while syncing ({attempts} attempts); run sync again"
        )

    def _refs(self, prefix: str) -> dict[str, str]:
        listing = self._git("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        refs = {}
        for line in listing.splitlines():
            name, _, sha = line.partition(" ")
            refs[name.removeprefix(prefix)] = sha
        return refs

    def _is_ancestor(self, older: str, newer: str) -> bool:
        try:
            self._git("merge-base", "--is-ancestor", older, newer)
        except _GitFailed:
            return False
        return True

    def _move_ref(self, story: str, new: str, old: str | None) -> None:
        try:
            self._git("update-ref", "-m", "storydiff: sync", _ref(story), new, old or _NO_COMMIT)
        except _GitFailed as failure:
            raise ArchiveError(
                f"story {story!r} changed here while syncing; run sync again ({failure.stderr})"
            ) from None

    def _merge(self, story: str, mine: str, theirs: str, remote: str) -> str:
        """A merge commit whose history holds every distinct version of both sides."""
        commits = self._git("rev-list", "--no-merges", "--topo-order", "--reverse", mine, theirs)
        versions = _distinct_in_time_order(
            [self._load_version(story, commit) for commit in commits.split()]
        )
        latest = versions[-1]
        state = _StoryState(
            versions=len(versions),
            first_seen=versions[0].time,
            last_seen=latest.time,
            latest_headline=latest.article.headline,
            latest_hash=latest.article.content_hash(),
        )
        message = f"Merge versions of {story} from {remote}\n\n" + _trailer_block(story, state)
        tree = f"{latest.commit}^{{tree}}"
        return self._commit_tree(tree, [mine, theirs], message, latest.time, _now())

    def _commit_tree(
        self,
        tree: str,
        parents: Sequence[str],
        message: str,
        authored: datetime,
        committed: datetime,
    ) -> str:
        """Write a commit object (author date: the version's time) and return its id."""
        return self._git(
            "commit-tree",
            tree,
            *(argument for parent in parents for argument in ("-p", parent)),
            "-F",
            "-",
            stdin=message.encode("utf-8"),
            env={
                "GIT_AUTHOR_DATE": f"@{int(authored.timestamp())} +0000",
                "GIT_COMMITTER_DATE": f"@{int(committed.timestamp())} +0000",
            },
        )

    def _drop_sync_refs(self) -> None:
        names = self._refs(_SYNC_PREFIX)
        if names:
            commands = "".join(f"delete {_SYNC_PREFIX}{name}\n" for name in names)
            self._git("update-ref", "--stdin", stdin=commands.encode("utf-8"))

    def _write_tree(
        self,
        article: Article,
        at: datetime,
        archived: datetime,
        content_hash: str,
        page: bytes | None = None,
    ) -> str:
        meta = _meta_record(article, at, archived, content_hash)
        text_blob = self._git("hash-object", "-w", "--stdin", stdin=article.text().encode("utf-8"))
        meta_blob = self._git("hash-object", "-w", "--stdin", stdin=meta.encode("utf-8"))
        listing = f"100644 blob {text_blob}\t{ARTICLE_FILE}\n100644 blob {meta_blob}\t{META_FILE}\n"
        if page is not None:
            page_blob = self._git("hash-object", "-w", "--stdin", stdin=page)
            listing += f"100644 blob {page_blob}\t{PAGE_FILE}\n"
        return self._git("mktree", stdin=listing.encode("utf-8"))

    def page(self, version: Version) -> bytes | None:
        """The web page a version was extracted from, if it was fetched from the web."""
        return self._object(f"{version.commit}:{PAGE_FILE}")

    def _state(self, story: str, tip: str) -> _StoryState:
        data = self._object(tip)
        if data is None:
            raise ArchiveError(f"story {story!r}: its ref points at a missing commit {tip[:12]}")
        message = data.decode("utf-8", "replace").partition("\n\n")[2]
        return _state_from_trailers(_trailers(message), story)

    def _predecessor(
        self, story: str, tip: str | None, state: _StoryState | None, at: datetime
    ) -> Version | None:
        """The version a new one at time ``at`` would follow, or None for a first version."""
        if tip is None or state is None:
            return None
        if at >= state.last_seen:
            # The common case, appending the newest version: only the tip need be read.
            latest = self._load_version(story, tip)
            if latest.article.content_hash() == state.latest_hash:
                return replace(latest, number=state.versions)
        earlier = [v for v in self._history_from(story, tip) if v.time <= at]
        return earlier[-1] if earlier else None

    def _remove_stale_lock(self, story: str) -> str | None:
        """Remove the story's ref lock if a crashed writer left it; return its path if so."""
        lock = self.path / (_ref(story) + ".lock")
        try:
            if time.time() - lock.stat().st_mtime < STALE_LOCK_SECONDS:
                return None
            lock.unlink()
        except FileNotFoundError:
            return None
        except OSError:
            return None  # cannot remove it: the busy error names it once the deadline passes
        return str(lock)

    def _check_ref_conflict(self, story: str, stderr: str) -> None:
        if "exists; cannot create" in stderr:
            raise InputError(
                f"story id {story!r} cannot be used: it would nest a story inside another's "
                "name (git cannot keep both 'a' and 'a/b'); choose another id"
            )

    def _busy_error(self, story: str, stderr: str) -> ArchiveError:
        lock = self.path / (_ref(story) + ".lock")
        if lock.exists():
            age = time.time() - lock.stat().st_mtime
            return ArchiveError(
                f"story {story!r} is locked by {lock} (for {age:.0f} s); if no storydiff or "
                "git process is running, a crashed one left it: delete that file and retry "
                f"(storydiff removes such a lock itself once it is {STALE_LOCK_SECONDS:.0f} s old)"
            )
        return ArchiveError(f"could not record a version of {story!r}: {stderr}")


def _absolute_if_local(remote: str) -> str:
    """git runs inside the archive, so a relative path must be made absolute first.

    URLs (``scheme://``) and scp-like ``host:path`` remotes are left alone.
    """
    if "://" in remote or re.match(r"^[^/]+:", remote):
        return remote
    return str(Path(remote).absolute())


def _distinct_in_time_order(versions: list[Version]) -> list[Version]:
    """Versions sorted by time (ties in archive order), numbered from 1.

    A version whose text equals the one before it is left out: after two machines archived
    the same update and synced, it is one version, from the first time it was seen.
    """
    ordered = sorted(versions, key=lambda version: version.time)  # stable sort
    distinct: list[Version] = []
    for version in ordered:
        if distinct and distinct[-1].article.content_hash() == version.article.content_hash():
            continue
        distinct.append(replace(version, number=len(distinct) + 1))
    return distinct


def select_version(versions: Sequence[Version], ref: VersionRef) -> Version:
    """Pick the version ``ref`` names out of a story's time-ordered ``versions``."""
    count = len(versions)
    if ref.at is not None:
        current = [v for v in versions if v.time <= ref.at]
        if not current:
            raise VersionNotFound(
                f"story {ref.story!r} had no version yet at {format_time(ref.at)} "
                f"(its first is from {format_time(versions[0].time)})"
            )
        return current[-1]
    if ref.number is None:
        return versions[-1]
    index = ref.number - 1 if ref.number > 0 else count - 1 + ref.number
    if not 0 <= index < count:
        raise VersionNotFound(
            f"story {ref.story!r} has no version {ref.number} "
            f"(it has {count} version{'s' if count != 1 else ''})"
        )
    return versions[index]


class _GitFailed(ArchiveError):
    """A git command failed; the message is git's own, on one line."""

    def __init__(self, stderr: str) -> None:
        super().__init__(f"the archive could not be used: {stderr}")
        self.stderr = stderr


def _stderr_of(error: Any) -> str:
    stderr = error.stderr
    if isinstance(stderr, bytes):
        stderr = stderr.decode("utf-8", "replace")
    text = str(stderr).strip().removeprefix("stderr:").strip().strip("'").strip()
    lines = [line.removeprefix("fatal: ").removeprefix("error: ") for line in text.splitlines()]
    return " ".join(line.strip() for line in lines if line.strip()) or str(error)


def _ref(story: str) -> str:
    return STORY_REF_PREFIX + story


def _optional_time(value: object) -> datetime | None:
    return parse_time(value) if isinstance(value, str) and value else None


def _meta_record(article: Article, at: datetime, archived: datetime, content_hash: str) -> str:
    meta = article.meta
    record = {
        "schema": META_SCHEMA,
        "story": meta.story,
        "headline": article.headline,
        "note": article.note,
        "paragraphs": len(article.paragraphs),
        "time": format_time(at),
        "archived": format_time(archived),
        "published": format_time(meta.published) if meta.published else None,
        "updated": format_time(meta.updated) if meta.updated else None,
        "url": meta.url,
        "byline": meta.byline,
        "source": meta.source,
        "content_hash": content_hash,
    }
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


def _fast_import_commit(
    story: str,
    article: Article,
    at: datetime,
    archived: datetime,
    content_hash: str,
    state: _StoryState,
    mark: int,
    parent: str | None,
    page: bytes | None = None,
) -> bytes:
    """One version as a ``git fast-import`` commit command (the same objects :meth:`save`
    writes: identical input gives identical commits)."""
    message = _commit_message(story, article, state).encode("utf-8")
    text = article.text().encode("utf-8")
    meta = _meta_record(article, at, archived, content_hash).encode("utf-8")
    identity = f"{_IDENTITY['GIT_AUTHOR_NAME']} <{_IDENTITY['GIT_AUTHOR_EMAIL']}>"
    parts = [
        f"commit {_ref(story)}\nmark :{mark}\n".encode(),
        f"author {identity} {int(at.timestamp())} +0000\n".encode(),
        f"committer {identity} {int(archived.timestamp())} +0000\n".encode(),
        f"data {len(message)}\n".encode(),
        message,
        b"\n",
    ]
    if parent:
        parts.append(f"from {parent}\n".encode())
    parts += [
        b"deleteall\n",
        f"M 100644 inline {ARTICLE_FILE}\ndata {len(text)}\n".encode(),
        text,
        b"\n",
        f"M 100644 inline {META_FILE}\ndata {len(meta)}\n".encode(),
        meta,
        b"\n",
    ]
    if page is not None:
        parts += [f"M 100644 inline {PAGE_FILE}\ndata {len(page)}\n".encode(), page, b"\n"]
    parts.append(b"\n")
    return b"".join(parts)


def _read_marks(path: Path) -> dict[int, str]:
    marks: dict[int, str] = {}
    if path.exists():
        for line in path.read_text(encoding="ascii").splitlines():
            mark, _, sha = line.partition(" ")
            marks[int(mark.lstrip(":"))] = sha
    return marks


def _next_state(
    state: _StoryState | None, article: Article, at: datetime, content_hash: str
) -> _StoryState:
    if state is None:
        return _StoryState(1, at, at, article.headline, content_hash)
    newest = at >= state.last_seen
    return _StoryState(
        versions=state.versions + 1,
        first_seen=min(state.first_seen, at),
        last_seen=max(state.last_seen, at),
        latest_headline=article.headline if newest else state.latest_headline,
        latest_hash=content_hash if newest else state.latest_hash,
    )


def _commit_message(story: str, article: Article, state: _StoryState) -> str:
    lines = [article.headline, ""]
    if article.note:
        lines += [article.note, ""]
    return "\n".join(lines) + "\n" + _trailer_block(story, state)


def _trailer_block(story: str, state: _StoryState) -> str:
    """The trailers that describe the whole story as of a commit."""
    return (
        "\n".join(
            [
                f"Story-Id: {story}",
                f"Story-Versions: {state.versions}",
                f"Story-First-Seen: {format_time(state.first_seen)}",
                f"Story-Last-Seen: {format_time(state.last_seen)}",
                f"Story-Latest-Hash: {state.latest_hash}",
                f"Story-Latest-Headline: {state.latest_headline}",
            ]
        )
        + "\n"
    )


def _trailers(message: str) -> dict[str, str]:
    last_block = message.strip().split("\n\n")[-1]
    trailers: dict[str, str] = {}
    for line in last_block.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            trailers[key.strip()] = value.strip()
    return trailers


def _state_from_trailers(trailers: dict[str, str], story: str) -> _StoryState:
    try:
        return _StoryState(
            versions=int(trailers["Story-Versions"]),
            first_seen=parse_time(trailers["Story-First-Seen"]),
            last_seen=parse_time(trailers["Story-Last-Seen"]),
            latest_headline=trailers.get("Story-Latest-Headline", ""),
            latest_hash=trailers["Story-Latest-Hash"],
        )
    except (KeyError, ValueError):
        raise ArchiveError(
            f"story {story!r}: its latest commit lacks storydiff's trailers"
        ) from None


def _summary_from_record(record: bytes) -> StorySummary:
    refname, _, rest = record.decode("utf-8", "replace").partition("\x00")
    tip, _, trailer_text = rest.partition("\x00")
    story = refname.removeprefix(STORY_REF_PREFIX)
    state = _state_from_trailers(_trailers(trailer_text), story)
    return StorySummary(
        story=story,
        versions=state.versions,
        first_seen=state.first_seen,
        last_seen=state.last_seen,
        headline=state.latest_headline,
        tip=tip,
    )
