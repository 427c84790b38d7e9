"""Update notes: parse the editor's note into claims, and check them against the diff.

A note such as ``(Updated with further comments by Aliyev from paragraph 13; on-ground
developments from paragraph 16)`` becomes claims, each an action, a subject, paragraph
ranges in the new version's numbering and whole-story targets. Checking a comparison gives
each claim a verdict and lists every substantive change no claim discloses.

Parsing never fails: a note it cannot read is one claim with action ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Action = Literal[
    "add", "update", "correct", "recast", "remove", "move", "refile", "clarify", "other"
]
Verdict = Literal["confirmed", "not_found", "unverifiable"]
Range = tuple[int, int | None]

# -- vocabulary ---------------------------------------------------------------------------------

_VERBS: dict[str, Action] = {}
for _action, _words in {
    "add": "add adds added adding insert inserts inserted inserting",
    "update": "update updates updated updating top tops topped",
    "correct": "correct corrects corrected correcting fix fixes fixed fixing",
    "recast": "recast recasts recasting rewrite rewrites rewrote rewritten rewriting "
    "writethru writethrough",
    "remove": "remove removes removed removing delete deletes deleted deleting trim trims "
    "trimmed trimming drop drops dropped",
    "move": "move moves moved moving",
    "refile": "refile refiles refiled refiling repeat repeats repeated",
    "clarify": "clarify clarifies clarified clarifying",
}.items():
    for _word in _words.split():
        _VERBS[_word] = _action  # type: ignore[assignment]

_NUMBER_WORDS = {
    word: number
    for number, words in enumerate(
        [
            "",
            "one first",
            "two second",
            "three third",
            "four fourth",
            "five fifth",
            "six sixth",
            "seven seventh",
            "eight eighth",
            "nine ninth",
            "ten tenth",
            "eleven eleventh",
            "twelve twelfth",
            "thirteen thirteenth",
            "fourteen fourteenth",
            "fifteen fifteenth",
            "sixteen sixteenth",
            "seventeen seventeenth",
            "eighteen eighteenth",
            "nineteen nineteenth",
            "twenty twentieth",
        ]
    )
    for word in words.split()
}
_NUM = r"(?:\d+(?:st|nd|rd|th)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + ")"
_SPAN = rf"{_NUM}(?:\s*[-–—]\s*{_NUM}|\s+(?:to|through|thru)\s+{_NUM})?"
_LIST = rf"{_SPAN}(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*){_SPAN})*"
_PARA = r"(?:paragraphs?|paras?|grafs?|pars?|pgfs?|pghs?|grf)\b\.?"
_PREP = r"(?:(?P<prep>in|from|at|to|into|of|on|after|before)\s+)?(?:the\s+)?"
_ONWARD = r"(?P<onward>\s+(?:onwards?|and\s+(?:after|below|following|beyond)|on)\b)?"

_AFTER_KEYWORD = re.compile(rf"\b{_PREP}{_PARA}\s+(?P<list>{_LIST})\b{_ONWARD}", re.IGNORECASE)
_BEFORE_KEYWORD = re.compile(
    rf"\b{_PREP}(?P<list>{_LIST}|last|final|top|lead|lede|closing)\s+{_PARA}{_ONWARD}",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"\b(?:(?:in|to|at|into)\s+(?:the\s+)?(?:lead|lede|top)|(?:the\s+)?(?:lead|lede))\b(?!\s*-)",
    re.IGNORECASE,
)
_BARE_LIST = re.compile(rf"^\s*(?:and\s+)?{_LIST}\s*(?:onwards?)?\s*$", re.IGNORECASE)

_TARGETS = [
    (
        "throughout",
        re.compile(r"\b(?:throughout|write-?thru|writethrough|writes? through)\b", re.I),
    ),
    ("headline", re.compile(r"\b(?:headlines?|hed)\b", re.IGNORECASE)),
    ("byline", re.compile(r"\bbylines?\b", re.IGNORECASE)),
    ("dateline", re.compile(r"\bdatelines?\b", re.IGNORECASE)),
    ("photo", re.compile(r"\b(?:photos?|photographs?|pictures?|images?|captions?)\b", re.I)),
]
_PHRASAL_VERB = re.compile(r"^(?:writes?\s+through)\b", re.IGNORECASE)
_CONNECTORS = re.compile(
    r"^(?:(?:with|to show|to say|to reflect|to include|to add|to|of|that|on|about|for|and)\s+)+",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"\s+(?:in|from|at|to|into|of|on|and|with)$", re.IGNORECASE)

WIRE_PREFIX = re.compile(
    r"^(?:(?:CORRECTED|CORRECTION|REFILE|RPT|REPEAT|UPDATE\s?\d+|WRAPUP\s?\d+|EXCLUSIVE|"
    r"ANALYSIS|INSIGHT|FACTBOX|FOCUS|BRIEF|TIMELINE|URGENT|FLASH|BREAKINGVIEWS|"
    r"UPDATE|WRAPUP)\s?-\s?)+"
)


@dataclass(frozen=True)
class Claim:
    """One thing a note says changed. ``end`` None in a range means "onward"."""

    action: Action
    subject: str
    ranges: tuple[Range, ...] = ()
    targets: tuple[str, ...] = ()


def leading_note(paragraph: str) -> tuple[str, str] | None:
    """Split an update note off the start of a paragraph, as some pages print it.

    >>> leading_note("(Adds Kremlin comment in paragraph 5) MOSCOW - Russia said on Friday.")
    ('(Adds Kremlin comment in paragraph 5)', 'MOSCOW - Russia said on Friday.')
    >>> leading_note("(Reuters) - Fighting continued.") is None
    True
    """
    if not paragraph.startswith("("):
        return None
    depth = 0
    for index, char in enumerate(paragraph):
        depth += (char == "(") - (char == ")")
        if depth == 0:
            note, rest = paragraph[: index + 1], paragraph[index + 1 :].strip()
            first = re.match(r"\(\s*([A-Za-z]+)", note)
            if rest and first and first.group(1).lower() in _VERBS:
                return note, rest
            return None
    return None


def split_wire_prefix(headline: str) -> tuple[str | None, str]:
    """Separate a wire service's headline prefix from the headline.

    >>> split_wire_prefix("CORRECTED-UPDATE 1-Fighting dampens optimism")
    ('CORRECTED-UPDATE 1-', 'Fighting dampens optimism')
    >>> split_wire_prefix("Fighting dampens optimism")
    (None, 'Fighting dampens optimism')
    """
    match = WIRE_PREFIX.match(headline)
    if not match or match.end() == len(headline):
        return None, headline
    return match.group(0), headline[match.end() :]


def parse_note(note: str, paragraphs: int | None = None) -> list[Claim]:
    """Parse an update note into its claims, in order.

    ``paragraphs`` (the new version's paragraph count) resolves "last paragraph".

    >>> for claim in parse_note("(Updated with further comments by Aliyev from paragraph 13; "
    ...                         "on-ground developments from paragraph 16)"):
    ...     print(claim.action, claim.ranges, claim.subject)
    update ((13, None),) further comments by Aliyev
    update ((16, None),) on-ground developments
    """
    text = note.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    text = " ".join(text.split())
    if not text:
        return []
    claims: list[Claim] = []
    action: Action | None = None
    for clause in _clauses(text):
        verb = _find_verb(clause)
        if verb is not None:
            action = verb[0]
            rest = clause[verb[1] :]
        else:
            rest = clause
        if action is None:
            return [Claim("other", text)]
        claims.append(_claim(action, rest, clause, paragraphs))
    return claims


def _clauses(text: str) -> list[str]:
    """Split at ``;`` and ``,``; pieces with no verb of their own are sorted out here.

    A piece that is only paragraph numbers extends the location before it; a piece with
    neither verb nor location continues the subject before it.
    """
    verbs = "|".join(sorted(_VERBS, key=len, reverse=True))
    clauses: list[str] = []
    for part in re.split(r"\s*;\s*", text):
        pieces = re.split(rf",\s+|\s+and\s+(?=(?:{verbs})\b)", part, flags=re.IGNORECASE)
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            if (
                clauses
                and _find_verb(piece) is None
                and (_BARE_LIST.match(piece) or not _has_location(piece) or _only_location(piece))
            ):
                clauses[-1] += ", " + piece
            else:
                clauses.append(piece)
    return clauses


def _find_verb(clause: str) -> tuple[Action, int] | None:
    """The clause's verb among its first words, and where the text after it starts."""
    phrasal = _PHRASAL_VERB.match(clause)
    if phrasal:
        return "recast", 0  # "writes through": keep the words, they name the target too
    for count, match in enumerate(re.finditer(r"[A-Za-z]+(?:-[A-Za-z]+)*", clause)):
        if count >= 6:
            break
        action = _VERBS.get(match.group(0).lower())
        if action is not None:
            return action, match.end()
    return None


def _has_location(text: str) -> bool:
    return bool(_AFTER_KEYWORD.search(text) or _BEFORE_KEYWORD.search(text) or _LEAD.search(text))


def _only_location(text: str) -> bool:
    for pattern in (_AFTER_KEYWORD, _BEFORE_KEYWORD, _LEAD):
        text = pattern.sub(" ", text)
    return not re.search(r"\w", text)


def _claim(action: Action, rest: str, clause: str, paragraphs: int | None) -> Claim:
    ranges: list[Range] = []
    spans: list[tuple[int, int]] = []
    for pattern in (_AFTER_KEYWORD, _BEFORE_KEYWORD):
        for match in pattern.finditer(rest):
            if any(start < match.end() and match.start() < end for start, end in spans):
                continue
            spans.append(match.span())
            ranges += _ranges(match, action, paragraphs)
    for match in _LEAD.finditer(rest):
        if not any(start < match.end() and match.start() < end for start, end in spans):
            spans.append(match.span())
            ranges.append((1, 1))
    targets = tuple(name for name, pattern in _TARGETS if pattern.search(clause))
    subject = rest
    for start, end in sorted(spans, reverse=True):
        subject = subject[:start] + " " + subject[end:]
    for name, pattern in _TARGETS:
        if name == "throughout":
            subject = pattern.sub(" ", subject)
    subject = " ".join(subject.split()).strip(" ,.")
    subject = _CONNECTORS.sub("", subject)
    while _DANGLING.search(subject):
        subject = _DANGLING.sub("", subject)
    ranges = sorted(set(ranges), key=lambda r: (r[0], r[1] if r[1] is not None else 10**9))
    return Claim(action, subject.strip(" ,."), tuple(ranges), targets)


def _ranges(match: re.Match[str], action: Action, paragraphs: int | None) -> list[Range]:
    listed = match.group("list")
    word = listed.lower()
    if word in ("last", "final", "closing"):
        return [(paragraphs, paragraphs)] if paragraphs else []
    if word in ("top", "lead", "lede"):
        return [(1, 1)]
    preposition = (match.group("prep") or "").lower()
    onward = bool(match.group("onward"))
    ranges: list[Range] = []
    for piece in re.split(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)", listed):
        bounds = re.split(r"\s*[-–—]\s*|\s+(?:to|through|thru)\s+", piece.strip())
        numbers = [_number(b) for b in bounds if b]
        if not numbers:
            continue
        ranges.append((numbers[0], numbers[-1]))
    if ranges and len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        # "Updated with X from paragraph 13" means 13 onward; "deletes a sentence from
        # paragraph 7" means paragraph 7: taking something out of it.
        opens = onward or (preposition == "from" and action not in ("remove", "correct"))
        if opens:
            ranges = [(ranges[0][0], None)]
    return ranges


def _number(text: str) -> int:
    text = text.strip().lower()
    digits = re.match(r"\d+", text)
    return int(digits.group(0)) if digits else _NUMBER_WORDS[text]


def describe_claim(claim: Claim) -> str:
    """Where a claim points, for people: ``paragraph 13 onward``, ``paragraphs 4–6``."""
    parts = []
    for start, end in claim.ranges:
        if end is None:
            parts.append(f"paragraph {start} onward")
        elif start == end:
            parts.append(f"paragraph {start}")
        else:
            parts.append(f"paragraphs {start}–{end}")
    parts += list(claim.targets)
    return ", ".join(parts) if parts else "no location"


# -- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedClaim:
    claim: Claim
    verdict: Verdict
    evidence: tuple[int, ...]


@dataclass(frozen=True)
class NoteCheck:
    """The note of the new version checked against the changes.

    ``undisclosed`` are new paragraph numbers with substantive changes that no claim covers;
    ``undisclosed_deleted`` old paragraph numbers deleted without a claim that covers them.
    """

    raw: str | None
    changed: bool
    prefix: str | None
    claims: tuple[CheckedClaim, ...]
    undisclosed: tuple[int, ...]
    undisclosed_deleted: tuple[int, ...]
    undisclosed_headline: bool

    @property
    def passed(self) -> bool:
        """No claim that found nothing, and nothing changed that the note does not say."""
        return not (
            any(c.verdict == "not_found" for c in self.claims)
            or self.undisclosed
            or self.undisclosed_deleted
            or self.undisclosed_headline
        )


@dataclass(frozen=True)
class ChangedParagraphs:
    """What the checker needs to know of a diff, in the new version's numbering."""

    changed: frozenset[int]
    moved: frozenset[int]
    deleted: tuple[tuple[int, int], ...]  # (old number, new position it stood before)
    count: int
    headline_changed: bool
    byline_changed: bool


def check_note(
    old_note: str | None, new_note: str | None, prefix: str | None, changes: ChangedParagraphs
) -> NoteCheck:
    """Check the new version's note against what changed since the old version."""
    changed_note = (old_note or None) != (new_note or None)
    claims = parse_note(new_note, changes.count) if new_note and changed_note else []
    ends = _effective_ends(claims, changes.count)
    checked = tuple(_verdict(claim, ends, changes) for claim in claims)
    covered: set[int] = set()
    throughout = any("throughout" in claim.targets for claim in claims)
    for claim in claims:
        for start, end in claim.ranges:
            covered.update(range(start, ends[start, end] + 1))
    if throughout:
        covered.update(range(1, changes.count + 1))
    undisclosed = tuple(sorted(n for n in changes.changed if n not in covered))
    undisclosed_deleted = tuple(
        sorted(
            old
            for old, position in changes.deleted
            if not (throughout or position in covered or position - 1 in covered)
        )
    )
    headline_claimed = throughout or any("headline" in claim.targets for claim in claims)
    return NoteCheck(
        raw=new_note,
        changed=changed_note,
        prefix=prefix,
        claims=checked,
        undisclosed=undisclosed,
        undisclosed_deleted=undisclosed_deleted,
        undisclosed_headline=changes.headline_changed and not headline_claimed,
    )


def _effective_ends(claims: Sequence[Claim], count: int) -> dict[Range, int]:
    """Where each range ends: an open range stops before the next claimed range starts."""
    starts = sorted({start for claim in claims for start, _ in claim.ranges})
    ends: dict[Range, int] = {}
    for claim in claims:
        for start, end in claim.ranges:
            if end is None:
                later = [s for s in starts if s > start]
                ends[start, end] = (later[0] - 1) if later else max(count, start)
            else:
                ends[start, end] = end
    return ends


def _verdict(claim: Claim, ends: dict[Range, int], changes: ChangedParagraphs) -> CheckedClaim:
    if "throughout" in claim.targets:
        everything = tuple(sorted(changes.changed))
        return CheckedClaim(claim, "confirmed" if everything else "not_found", everything)
    if not claim.ranges:
        if "headline" in claim.targets:
            return CheckedClaim(claim, "confirmed" if changes.headline_changed else "not_found", ())
        if "byline" in claim.targets:
            return CheckedClaim(claim, "confirmed" if changes.byline_changed else "not_found", ())
        return CheckedClaim(claim, "unverifiable", ())
    relevant = set(changes.changed)
    if claim.action == "move":
        relevant |= changes.moved
    if claim.action in ("remove", "recast"):
        relevant |= {position for _, position in changes.deleted}
    evidence: set[int] = set()
    confirmed = False
    for start, end in claim.ranges:
        in_range = {n for n in relevant if start <= n <= ends[start, end]}
        evidence |= in_range
        # An open range "from N" promises the change starts at N.
        confirmed |= (start in relevant) if end is None else bool(in_range)
    if "headline" in claim.targets and changes.headline_changed:
        confirmed = True
    return CheckedClaim(claim, "confirmed" if confirmed else "not_found", tuple(sorted(evidence)))
