"""The storydiff command line. The only module that speaks typer and rich.

Library errors (:mod:`storydiff.errors`) become one ``Error: …`` line on stderr and exit
code 1; nothing else is caught, so a real bug still shows its traceback.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .archive import Archive, default_archive_path
from .errors import InputError, StorydiffError
from .ids import parse_version_ref, story_id_for, validate_story_id
from .model import format_time, parse_time
from .reader import read_article, read_article_file

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="storydiff",
    help=(
        "Keep the full edit history of news stories in git, and show exactly what changed.\n\n"
        "Quick start: [bold]storydiff demo[/bold] archives the seed story, prints its history "
        "and writes HTML reports to reports/."
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


class DiffFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"


ArchiveOption = Annotated[
    Path | None,
    typer.Option(
        "--archive",
        "-a",
        envvar="STORYDIFF_ARCHIVE",
        help="The archive (a git repository). Default: ./storydiff-archive.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="text for people, json for scripts."),
]
DiffFormatOption = Annotated[
    DiffFormat,
    typer.Option(
        "--format", "-f", help="text for people, json for scripts, html for a standalone page."
    ),
]


def handles_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn storydiff's errors into one line on stderr and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except StorydiffError as error:
            err.print(Text(f"Error: {error}"))
            raise typer.Exit(1) from None

    return wrapper


def _count(number: int, noun: str) -> str:
    """``1 story``, ``2 stories``, ``0 versions``."""
    if number == 1:
        return f"1 {noun}"
    return f"{number} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def _open(path: Path | None) -> Archive:
    return Archive.open(path or default_archive_path())


def _print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _parse_at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise InputError(
            f"--at {value!r} is not an ISO 8601 time such as 2020-10-23T08:10:00Z"
        ) from None


@app.command()
@handles_errors
def init(
    path: Annotated[
        Path | None, typer.Argument(help="Where to create it. Default: --archive's default.")
    ] = None,
    archive: ArchiveOption = None,
) -> None:
    """Create an empty archive (a bare git repository).

    [bold]Example:[/bold]  storydiff init ~/news-archive
    """
    target = path or archive or default_archive_path()
    created_archive, created = Archive.create(target)
    created_archive.close()
    if created:
        out.print(Text(f"Created an empty storydiff archive in {target}"))
    else:
        out.print(Text(f"{target} is already an archive; nothing changed"))


@app.command("archive")
@handles_errors
def archive_command(
    file: Annotated[str, typer.Argument(help="Article file (.txt or .html), or - for stdin.")],
    story: Annotated[
        str | None,
        typer.Option(
            "--story",
            "-s",
            help="Story id (lowercase slug). Default: front matter story:, else from its url:.",
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="Version time, ISO 8601 (UTC if no zone). Default: front matter updated:, "
            "then published:, else now.",
        ),
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="The article's URL (recorded; overrides front matter).")
    ] = None,
    html: Annotated[
        bool | None,
        typer.Option(
            "--html/--text", help="Read as HTML or plain text. Default: by name and content."
        ),
    ] = None,
    archive: ArchiveOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Record a version of a story, unless it equals the version before it.

    The archive is created if it does not exist yet.

    [bold]Examples:[/bold]

      storydiff archive seeds/armenia-azerbaijan/v2.txt --story armenia-azerbaijan-talks

      storydiff archive draft.txt -s armenia-azerbaijan-talks --at 2020-10-23T11:45:00Z

      curl -s https://example.com/story | storydiff archive - --html --story example-story
    """
    from .records import save_document

    version_time = _parse_at(at)
    if story is not None:
        validate_story_id(story)
    if file == "-":
        article = read_article(sys.stdin.buffer.read(), name="<stdin>", html=html)
    else:
        article = read_article_file(file) if html is None else _read_forced(file, html)
    if url is not None:
        article = replace(article, meta=replace(article.meta, url=url))
    story_id = story_id_for(story, article.meta)
    with Archive.create(archive or default_archive_path())[0] as store:
        result = store.save(story_id, article, at=version_time)
    for lock in result.removed_locks:
        err.print(Text(f"Warning: removed {lock}, a stale lock left by a crashed writer"))
    if output is OutputFormat.json:
        _print_json(save_document(result))
        return
    version = result.version
    if result.created:
        out.print(
            Text(
                f"Archived {story_id} version {version.number} at {format_time(version.time)}: "
                f"{len(version.article.paragraphs)} paragraphs "
                f"(+{result.delta.added} −{result.delta.removed})"
            )
        )
    else:
        out.print(
            Text(
                f"Unchanged: {story_id} version {version.number} already has this text; "
                "nothing recorded"
            )
        )


def _read_forced(file: str, html: bool) -> Any:
    path = Path(file)
    read_article_file(path)  # the same checks and messages for missing or unreadable files
    return read_article(path.read_bytes(), name=file, html=html)


@app.command()
@handles_errors
def stories(archive: ArchiveOption = None, output: FormatOption = OutputFormat.text) -> None:
    """List every story: id, versions, first and last seen, latest headline.

    Streams: the first lines appear before a large archive has been read to the end.

    [bold]Example:[/bold]  storydiff stories --format json | jq '.stories[].story'
    """
    from .records import story_record

    with _open(archive) as store:
        summaries = store.stories()
        if output is OutputFormat.json:
            _stream_json_list(
                {"schema": "storydiff.stories/1"}, "stories", (story_record(s) for s in summaries)
            )
            return
        count = 0
        for summary in summaries:
            count += 1
            versions = _count(summary.versions, "version")
            span = f"{format_time(summary.first_seen)} → {format_time(summary.last_seen)}"
            if out.is_terminal:
                line = Text.assemble(
                    (summary.story, "bold"), f"  {versions}  {span}  ", (summary.headline, "italic")
                )
                out.print(line)
            else:
                # Plain text in a pipe; rich's per-line rendering would dominate large listings.
                sys.stdout.write(f"{summary.story}  {versions}  {span}  {summary.headline}\n")
        if count == 0:
            err.print("The archive holds no stories yet (add one with 'storydiff archive').")


def _stream_json_list(head: dict[str, Any], key: str, items: Iterator[dict[str, Any]]) -> None:
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    sys.stdout.write(f'{opening}, "{key}": [')
    for index, item in enumerate(items):
        sys.stdout.write(("," if index else "") + "\n  " + json.dumps(item, ensure_ascii=False))
    sys.stdout.write("\n]}\n")


@app.command()
@handles_errors
def log(
    story: Annotated[str, typer.Argument(help="Story id.")],
    archive: ArchiveOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Show a story's history: every version with its time, headline, note and size.

    [bold]+/−[/bold] count paragraphs whose text is new or gone since the version before
    (an edited paragraph counts on both sides; 'storydiff diff' aligns them precisely).

    [bold]Example:[/bold]  storydiff log armenia-azerbaijan-talks
    """
    from .records import log_document

    with _open(archive) as store:
        versions = store.history(validate_story_id(story))
    document = log_document(story, versions)
    if output is OutputFormat.json:
        _print_json(document)
        return
    table = Table(title=story, title_justify="left", expand=False)
    table.add_column("#", justify="right")
    table.add_column("time (UTC)", no_wrap=True)
    table.add_column("headline / note", ratio=1)
    table.add_column("¶", justify="right")
    table.add_column("+/−", justify="right", no_wrap=True)
    for record in document["versions"]:
        headline = Text(record["headline"], style="bold")
        if record["note"]:
            headline.append("\n" + record["note"], style="italic")
        table.add_row(
            str(record["version"]),
            record["time"],
            headline,
            str(record["paragraphs"]),
            Text.assemble(
                (f"+{record['paragraphs_added']}", "green"),
                " ",
                (f"−{record['paragraphs_removed']}", "red"),
            ),
        )
    out.print(table)


@app.command()
@handles_errors
def show(
    ref: Annotated[
        str,
        typer.Argument(
            help="ID, ID@N, ID@latest, ID@-1 (the previous) or ID@TIME (current at that time)."
        ),
    ],
    archive: ArchiveOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Print one version, paragraphs numbered as editors count them.

    [bold]Examples:[/bold]

      storydiff show armenia-azerbaijan-talks@1

      storydiff show armenia-azerbaijan-talks@2020-10-23T12:00
    """
    from .archive import select_version
    from .records import version_document

    version_ref = parse_version_ref(ref)
    with _open(archive) as store:
        versions = store.history(version_ref.story)
    version = select_version(versions, version_ref)
    document = version_document(version, len(versions))
    if output is OutputFormat.json:
        _print_json(document)
        return
    out.print(Text(document["headline"], style="bold"))
    if document["note"]:
        out.print(Text(document["note"], style="italic"))
    details = [f"version {document['version']} of {document['versions']}", document["time"]]
    details += [document[key] for key in ("byline", "source", "url") if document[key]]
    out.print(Text(" · ".join(details), style="dim"))
    for paragraph in document["paragraphs"]:
        out.print()
        out.print(Text.assemble((f"[{paragraph['number']}] ", "cyan"), paragraph["text"]))


_STYLES = {
    "delete": "red",
    "insert": "green",
    "header": "bold cyan",
    "fold": "dim",
    "title": "bold",
    "meta": "dim",
    "summary": "bold",
    "good": "green",
    "bad": "bold red",
    "warn": "yellow",
    "plain": "",
}

ContextOption = Annotated[
    int,
    typer.Option("--context", "-C", min=0, help="Unchanged paragraphs to show around each change."),
]
ExitCodeOption = Annotated[
    bool,
    typer.Option("--exit-code", help="Exit 1 when the versions differ (as git diff --exit-code)."),
]


def _emit_diff(
    diff: Any, output: DiffFormat | OutputFormat, context: int, exit_code: bool, view: str = "diff"
) -> None:
    from .render import RenderOptions, render

    rendered = render(diff, output.value, RenderOptions(context=context), view=view)
    if isinstance(rendered, str):
        sys.stdout.write(rendered)
    else:
        out.print(Text.assemble(*((text, _STYLES[style]) for text, style in rendered)), end="")
    if exit_code and diff.summary.changed:
        raise typer.Exit(1)


def _story_diff(store: Archive, story: str, old: str | None, new: str | None) -> Any:
    """Compare two archived versions named as ``diff``, ``check`` and ``report`` take them:
    by default the latest against the one before it."""
    from .compare import compare_versions
    from .errors import VersionNotFound

    versions = store.history(validate_story_id(story))
    if old is None and len(versions) < 2:
        raise VersionNotFound(f"story {story!r} has only one version: nothing to compare yet")
    return compare_versions(
        versions,
        parse_version_ref(f"{story}@{old or '-1'}"),
        parse_version_ref(f"{story}@{new or 'latest'}"),
    )


OldVersionArgument = Annotated[
    str | None,
    typer.Argument(help="Old version: N, -1, latest or a time. Default: the previous one."),
]
NewVersionArgument = Annotated[
    str | None, typer.Argument(help="New version (same forms). Default: the latest.")
]


@app.command("compare")
@handles_errors
def compare_command(
    old: Annotated[Path, typer.Argument(help="The earlier version (.txt or .html).")],
    new: Annotated[Path, typer.Argument(help="The later version.")],
    output: DiffFormatOption = DiffFormat.text,
    context: ContextOption = 0,
    exit_code: ExitCodeOption = False,
) -> None:
    """Compare two article files, no archive needed.

    Every paragraph is aligned (equal, edited, added, deleted, moved, split, merged) and
    changed paragraphs are diffed word by word: [-deleted-]{+inserted+}. The new file's
    update note is checked against the changes.

    [bold]Examples:[/bold]

      storydiff compare seeds/armenia-azerbaijan/v1.txt seeds/armenia-azerbaijan/v2.txt

      storydiff compare old.txt new.txt --format json | jq .summary
    """
    from .compare import Side, compare

    old_side = Side(str(old), read_article_file(old))
    new_side = Side(str(new), read_article_file(new))
    _emit_diff(compare(old_side, new_side), output, context, exit_code)


@app.command("diff")
@handles_errors
def diff_command(
    story: Annotated[str, typer.Argument(help="Story id.")],
    old: OldVersionArgument = None,
    new: NewVersionArgument = None,
    archive: ArchiveOption = None,
    output: DiffFormatOption = DiffFormat.text,
    context: ContextOption = 0,
    exit_code: ExitCodeOption = False,
) -> None:
    """Show what changed between two archived versions of a story.

    With no versions, the latest against the one before it; with one, that version against
    the latest. Put negative versions after --: storydiff diff ID -- -2 -1.

    [bold]Examples:[/bold]

      storydiff diff armenia-azerbaijan-talks

      storydiff diff armenia-azerbaijan-talks 1 3 --context 1

      storydiff diff armenia-azerbaijan-talks --format json
    """
    with _open(archive) as store:
        diff = _story_diff(store, story, old, new)
    _emit_diff(diff, output, context, exit_code)


@app.command()
@handles_errors
def check(
    story: Annotated[str, typer.Argument(help="Story id.")],
    old: OldVersionArgument = None,
    new: NewVersionArgument = None,
    archive: ArchiveOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Check the editor's update note against what really changed.

    Each claim of the note is confirmed, not found or unverifiable; every substantive change
    the note does not disclose is listed. Exits 1 when a claim is not found or something
    changed undisclosed, so it can drive alerts in scripts.

    [bold]Examples:[/bold]

      storydiff check armenia-azerbaijan-talks

      storydiff check armenia-azerbaijan-talks 1 2 --format json
    """
    with _open(archive) as store:
        diff = _story_diff(store, story, old, new)
    _emit_diff(diff, output, 0, False, view="check")
    if not diff.note.passed:
        raise typer.Exit(1)


@app.command("import")
@handles_errors
def import_command(
    source: Annotated[
        str, typer.Argument(help="A JSON Lines file, - for stdin, or a folder of story folders.")
    ],
    strict: Annotated[
        bool, typer.Option("--strict", help="Stop at the first bad line, writing nothing.")
    ] = False,
    archive: ArchiveOption = None,
) -> None:
    """Import many versions at once, at git fast-import's speed.

    Each story's versions are placed in time order; a version equal to the one before it is
    skipped. A bad line is reported as 'line N: reason' on stderr and skipped (exit status
    1 at the end); with --strict the first one stops the import before anything is written.

    [bold]Examples:[/bold]

      storydiff import versions.jsonl

      storydiff import seeds/

      storydiff export armenia-azerbaijan-talks | storydiff import - --archive copy
    """
    from .importer import plan_source, scratch_folder

    with scratch_folder() as scratch:
        plan = plan_source(source, Path(scratch), sys.stdin.buffer)
        with Archive.create(archive or default_archive_path())[0] as store:
            plan.check_nesting([summary.story for summary in store.stories()])
            if plan.errors and strict:
                raise InputError(f"{plan.errors[0]} (--strict: nothing imported)")
            for problem in plan.errors:
                err.print(Text(problem))
            result = _import_with_progress(store, plan)
    out.print(
        Text(
            f"Imported {_count(result.written, 'version')} of {_count(result.stories, 'story')} "
            f"({result.unchanged} unchanged, {len(plan.errors)} skipped as bad)"
        )
    )
    if plan.errors:
        raise typer.Exit(1)


def _import_with_progress(store: Archive, plan: Any) -> Any:
    from rich.progress import Progress

    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("Importing", total=plan.versions)
        return store.import_stories(
            plan.in_time_order(), progress=lambda n: progress.advance(task, n)
        )


class ExportFormat(StrEnum):
    jsonl = "jsonl"


@app.command()
@handles_errors
def export(
    story: Annotated[str | None, typer.Argument(help="Story id (omit with --all).")] = None,
    all_stories: Annotated[bool, typer.Option("--all", help="Every story.")] = False,
    output: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="jsonl: one version per line.")
    ] = ExportFormat.jsonl,
    archive: ArchiveOption = None,
) -> None:
    """Write a story's versions (or every story's) as JSON Lines, the format import reads.

    Export and import round-trip: importing an export into an empty archive gives the same
    histories, down to the git commit ids.

    [bold]Examples:[/bold]

      storydiff export armenia-azerbaijan-talks > talks.jsonl

      storydiff export --all | gzip > archive.jsonl.gz
    """
    from .importer import export_record

    if all_stories == (story is not None):
        raise InputError("give a story id or --all")
    with _open(archive) as store:
        if story is not None:
            names = [validate_story_id(story)]
        else:
            names = [summary.story for summary in store.stories()]
        for name in names:
            for version in store.history(name):
                record = export_record(version, store.page(version))
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@app.command()
@handles_errors
def sync(
    remote: Annotated[
        str,
        typer.Argument(
            help="A git remote: a path, file://, ssh://, https:// or git:// URL, or user@host:path."
        ),
    ],
    archive: ArchiveOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Exchange every story with a git remote, in both directions.

    Where both sides added versions to the same story, a merge commit records every distinct
    version of both, in time order; nothing is ever force-pushed, so several archiving
    machines can share one central repository.

    [bold]Examples:[/bold]

      storydiff sync /srv/git/news-archive.git

      storydiff sync git@git.example.com:newsroom/archive.git
    """
    with Archive.create(archive or default_archive_path())[0] as store:
        result = store.sync(remote)
    if output is OutputFormat.json:
        _print_json(
            {
                "schema": "storydiff.sync/1",
                "remote": remote,
                "pulled": list(result.pulled),
                "pushed": list(result.pushed),
                "merged": list(result.merged),
            }
        )
        return
    out.print(
        Text(
            f"Synced with {remote}: {_count(len(result.pulled), 'story')} updated here, "
            f"{len(result.pushed)} sent, {len(result.merged)} merged"
        )
    )
    for story in result.merged:
        out.print(Text(f"  merged {story}"))


@app.command()
@handles_errors
def fsck(archive: ArchiveOption = None, output: FormatOption = OutputFormat.text) -> None:
    """Check the archive: git's objects, every story's chain of versions, metadata and hashes.

    Each problem is one line in plain words; the exit status is 1 when there is any.

    [bold]Example:[/bold]  storydiff fsck --archive demo-archive
    """
    from rich.progress import Progress

    with _open(archive) as store:
        with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("Checking stories", total=None)
            report = store.fsck(
                progress=lambda done, total: progress.update(task, completed=done, total=total)
            )
    if output is OutputFormat.json:
        _print_json(
            {
                "schema": "storydiff.fsck/1",
                "stories": report.stories,
                "versions": report.versions,
                "problems": list(report.problems),
            }
        )
    else:
        for problem in report.problems:
            out.print(Text(problem, style="red"))
        summary = (
            f"Checked {_count(report.stories, 'story')} and {_count(report.versions, 'version')}: "
        )
        if report.problems:
            summary += _count(len(report.problems), "problem")
        else:
            summary += "no problems"
        out.print(Text(summary))
    if report.problems:
        raise typer.Exit(1)


IgnoreRobotsOption = Annotated[
    bool,
    typer.Option("--ignore-robots", help="Fetch pages robots.txt disallows (your responsibility)."),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Archive an extraction that looks truncated or paywalled, instead of skipping it.",
    ),
]
TimeoutOption = Annotated[float, typer.Option(help="Seconds to wait for a server.", min=0.1)]


def _outcome_line(outcome: Any) -> Text:
    styles = {"archived": "green", "suspect": "yellow", "failed": "red", "feed_failed": "red"}
    kind = outcome.kind.replace("_", " ")
    where = outcome.story or outcome.url
    version = f" v{outcome.version}" if outcome.version else ""
    detail = f": {outcome.detail}" if outcome.detail else ""
    return Text(f"{kind:>12}  {where}{version}{detail}", style=styles.get(outcome.kind, ""))


@app.command()
@handles_errors
def fetch(
    url: Annotated[str, typer.Argument(help="The article's URL.")],
    force: ForceOption = False,
    ignore_robots: IgnoreRobotsOption = False,
    timeout: TimeoutOption = 20.0,
    archive: ArchiveOption = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Fetch an article page, archive it if it changed, and show what changed.

    The story id comes from the page's canonical URL (tracking parameters, fragments and
    AMP/mobile variants removed). The page's HTML is kept beside the text in the archive.

    [bold]Example:[/bold]  storydiff fetch https://example.com/world/armenia-azerbaijan-talks
    """
    from .watch import WatchOptions, run_cycle

    options = WatchOptions(timeout=timeout, respect_robots=not ignore_robots, force=force)
    with Archive.create(archive or default_archive_path())[0] as store:
        outcomes = [o for o in run_cycle(store, [], options, pages=[url]) if o.kind != "feed"]
        outcome = outcomes[-1]
        if output is OutputFormat.json:
            _print_json(
                {
                    "schema": "storydiff.fetch/1",
                    "url": url,
                    "outcome": outcome.kind,
                    "detail": outcome.detail or None,
                    "story": outcome.story,
                    "version": outcome.version,
                }
            )
        elif outcome.kind == "archived" and outcome.story and (number := outcome.version or 0) > 1:
            diff = _story_diff(store, outcome.story, str(number - 1), str(number))
            _emit_diff(diff, DiffFormat.text, 0, False)
        else:
            out.print(_outcome_line(outcome))
    if outcome.kind == "failed":
        raise typer.Exit(1)


@app.command()
@handles_errors
def watch(
    feeds: Annotated[Path, typer.Argument(help="A file of feed URLs, one per line (# comments).")],
    once: Annotated[
        bool, typer.Option("--once", help="Run one cycle and stop (for cron).")
    ] = False,
    interval: Annotated[str, typer.Option(help="Time between cycles: 90s, 10m, 2h.")] = "10m",
    notify: Annotated[
        str | None,
        typer.Option(help="Shell command run for each new version, the diff JSON on its stdin."),
    ] = None,
    per_host: Annotated[int, typer.Option(help="Requests at a time to one host.", min=1)] = 2,
    delay: Annotated[
        float, typer.Option(help="Seconds between requests to one host.", min=0)
    ] = 1.0,
    max_age: Annotated[str, typer.Option(help="Stop re-checking stories this old: 7d.")] = "7d",
    timeout: TimeoutOption = 20.0,
    ignore_robots: IgnoreRobotsOption = False,
    force: ForceOption = False,
    reports: Annotated[
        Path, typer.Option("--reports", "-r", help="Where changes.xml (an Atom feed) is written.")
    ] = Path("reports"),
    archive: ArchiveOption = None,
) -> None:
    """Poll RSS/Atom feeds: archive new stories, and re-check known ones on a schedule.

    Stories are checked often in their first hours and rarely after days, until --max-age.
    Every failure is logged with its URL and reason and retried with back-off. Each cycle
    updates reports/changes.xml, an Atom feed of what changed.

    [bold]Examples:[/bold]

      storydiff watch feeds.txt --interval 10m

      storydiff watch feeds.txt --once

      storydiff watch feeds.txt --notify 'jq -r .summary | mail -s change newsdesk@example.com'
    """
    import time as clock

    from .reports import write_changes_feed
    from .watch import WatchOptions, parse_duration, read_feed_list, run_cycle

    feed_urls = read_feed_list(feeds)
    pause = parse_duration(interval)
    options = WatchOptions(
        per_host=per_host,
        delay=delay,
        timeout=timeout,
        respect_robots=not ignore_robots,
        max_age=parse_duration(max_age),
        force=force,
        notify=notify,
    )
    with Archive.create(archive or default_archive_path())[0] as store:
        while True:
            started = clock.monotonic()
            outcomes = run_cycle(
                store,
                feed_urls,
                options,
                log=lambda o: (
                    err.print(_outcome_line(o))
                    if o.kind in ("archived", "suspect", "failed", "feed_failed")
                    else None
                ),
            )
            counts = {
                kind: sum(o.kind == kind for o in outcomes)
                for kind in (
                    "archived",
                    "unchanged",
                    "not_modified",
                    "suspect",
                    "failed",
                    "feed_failed",
                )
            }
            if counts["archived"]:
                write_changes_feed(store, reports)
            out.print(
                Text(
                    f"Cycle done in {clock.monotonic() - started:.1f} s: "
                    f"{counts['archived']} archived, {counts['unchanged']} unchanged, "
                    f"{counts['not_modified']} not modified, {counts['suspect']} suspect, "
                    f"{counts['failed'] + counts['feed_failed']} failed"
                )
            )
            if once:
                break
            clock.sleep(pause.total_seconds())


@app.command()
@handles_errors
def reextract(
    ref: Annotated[str, typer.Argument(help="ID, ID@N, ID@latest … (as for show).")],
    archive: ArchiveOption = None,
    output: DiffFormatOption = DiffFormat.text,
) -> None:
    """Extract a fetched version again from its saved HTML, and compare with what was stored.

    Shows what today's extraction makes of the page; the archive itself is not changed.

    [bold]Example:[/bold]  storydiff reextract example.com/world/talks@2
    """
    from .archive import select_version
    from .compare import Side, compare

    version_ref = parse_version_ref(ref)
    with _open(archive) as store:
        version = select_version(store.history(version_ref.story), version_ref)
        page = store.page(version)
    if page is None:
        raise InputError(f"{version.story}@{version.number} was not fetched from the web: no HTML")
    fresh = read_article(page, name=f"{version.story}@{version.number}", html=True)
    diff = compare(
        Side.of_version(version),
        Side(f"{version.story}@{version.number} re-extracted", fresh, version.number, version.time),
        story=version.story,
    )
    _emit_diff(diff, output, 0, False)


ReportsOption = Annotated[
    Path, typer.Option("--reports", "-r", help="Folder the reports are written to.")
]


@app.command()
@handles_errors
def report(
    story: Annotated[str | None, typer.Argument(help="Story id (omit with --all).")] = None,
    old: Annotated[
        str | None, typer.Argument(help="With NEW: one comparison, from this version.")
    ] = None,
    new: Annotated[str | None, typer.Argument(help="... to this version.")] = None,
    all_stories: Annotated[
        bool, typer.Option("--all", help="Every story, plus the index page.")
    ] = False,
    output_file: Annotated[
        Path | None, typer.Option("--output", "-o", help="With OLD NEW: the file to write.")
    ] = None,
    reports: ReportsOption = Path("reports"),
    force: Annotated[
        bool, typer.Option("--force", help="With --all: re-render stories that did not change.")
    ] = False,
    archive: ArchiveOption = None,
) -> None:
    """Write HTML change reports: a timeline per story, a page per update, and an index.

    Pages are self-contained files (no scripts, no network), readable on a phone and in
    print. With --all, only stories whose history changed since the last run are rendered
    again.

    [bold]Examples:[/bold]

      storydiff report armenia-azerbaijan-talks

      storydiff report --all

      storydiff report armenia-azerbaijan-talks 1 3 -o out.html
    """
    from .reports import build_all, build_story, change_page_name, write_comparison

    with _open(archive) as store:
        if all_stories:
            if story is not None:
                raise InputError("give a story id or --all, not both")
            result = _build_all_with_progress(store, reports, force, build_all)
            noun = "story" if len(result.rendered) == 1 else "stories"
            out.print(
                Text(
                    f"Rendered {len(result.rendered)} {noun} ({result.skipped} unchanged); "
                    f"open {result.index}"
                )
            )
            return
        if story is None:
            raise InputError("give a story id, or --all for every story")
        validate_story_id(story)
        if (old is None) != (new is None):
            raise InputError("give both versions to compare (OLD NEW), or neither")
        if old is not None and new is not None:
            diff = _story_diff(store, story, old, new)
            target = output_file or reports / story / change_page_name(
                diff.old.version, diff.new.version
            )
            write_comparison(diff, target)
            out.print(Text(f"Wrote {target}"))
            return
        if output_file is not None:
            raise InputError("--output goes with two versions (OLD NEW)")
        build_story(store, story, reports)
        out.print(Text(f"Wrote the reports of {story}; open {reports / story / 'index.html'}"))


def _build_all_with_progress(store: Archive, reports: Path, force: bool, build_all: Any) -> Any:
    from rich.progress import Progress

    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("Rendering stories", total=None)

        def advance(done: int, total: int, story: str) -> None:
            progress.update(task, completed=done, total=total, description=story)

        return build_all(store, reports, force=force, progress=advance)


@app.command()
@handles_errors
def demo(
    seeds: Annotated[
        Path, typer.Option(help="Folder with one sub-folder of version files per story.")
    ] = Path("seeds"),
    archive: Annotated[
        Path,
        typer.Option(
            "--archive",
            "-a",
            help="Where to build the demo archive (replaced if an earlier demo made it).",
        ),
    ] = Path("demo-archive"),
    reports: ReportsOption = Path("reports"),
) -> None:
    """Archive the seed stories into a fresh archive, print their history, write reports.

    [bold]Example:[/bold]  storydiff demo
    """
    from .demo import fresh_demo_archive, run_demo
    from .records import log_document
    from .reports import build_all

    with fresh_demo_archive(archive) as store:
        stories, _ = run_demo(seeds, store)
        histories = [(story, store.history(story)) for story in stories]
        report = _build_all_with_progress(store, reports, True, build_all)
    for story, versions in histories:
        out.print(Text(f"Archived {len(versions)} versions of {story} into {archive}/"))
        for record in log_document(story, versions)["versions"]:
            out.print(
                Text.assemble(
                    (f"  v{record['version']}  {record['time']}  ", "dim"),
                    (f"{record['paragraphs']:>3} ¶  ", ""),
                    (f"+{record['paragraphs_added']} ", "green"),
                    (f"−{record['paragraphs_removed']}  ", "red"),
                    record["note"] or "(no update note)",
                ),
            )
        out.print(
            Text(
                f"Look further: storydiff log {story} --archive {archive}   ·   "
                f"git -C {archive} log --stat refs/stories/{story}"
            ),
        )
    out.print(Text(f"Reports: open {report.index} in a browser"))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:
        # Output piped into a program that stopped reading (| head): not an error.
        sys.stderr.close()
        sys.exit(0)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
