"""Paragraph alignment: what happened to every paragraph between two versions.

Every paragraph of both versions ends up in exactly one operation: ``equal``, ``edit``,
``insert``, ``delete``, ``move`` (possibly also edited), ``split`` (one old paragraph became
several consecutive new ones) or ``merge`` (the reverse).

The method, in four passes:

1. Exact matches, patience-style: paragraphs whose text is unique in both versions anchor the
   alignment; the longest run of anchors that keeps its order is kept, and the gaps between
   anchors are aligned the same way, recursively. Repeated paragraphs ("Related coverage:")
   that are still unpaired in a gap pair in order with their own neighbours.
2. Similar paragraphs: the rest are paired by word-token similarity over content words
   (stop words left out), in both directions (how much of the old is covered by the new and
   of the new by the old). A pair inside the same gap between anchors needs a Dice
   similarity of at least ``EDIT_THRESHOLD``; a pair across anchors (a moved paragraph that
   was also edited) needs ``MOVED_EDIT_THRESHOLD``. One old paragraph covered by a run of
   consecutive new ones (each mostly made of its words) is a split; the reverse, a merge.
   Pairs are accepted best first.
3. Moves: of all matched pairs, the largest set that keeps its order stays in place; the
   others are moves. Among equally large sets, the one whose pairs travelled least is kept,
   so the fewest, longest-distance paragraphs are flagged as moved, not their neighbours.
4. The operations are listed in the new version's reading order, each deletion where it
   stood.

Word-token similarity has matched human judgement about as well as embeddings in published
news-revision studies, so no model is needed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

Op = Literal["equal", "edit", "insert", "delete", "move", "split", "merge"]

#: Dice similarity (over content words) that makes two paragraphs at the same place one
#: edited paragraph. Below it they are an unrelated deletion and insertion.
EDIT_THRESHOLD = 0.4
#: A paragraph that changed place and words must resemble its old self more closely.
MOVED_EDIT_THRESHOLD = 0.6
#: Each part of a split (or merge) must take at least this share of its words from the whole.
PART_CONTAINMENT = 0.6
#: ... and together the parts must match the whole at least this well.
SPLIT_THRESHOLD = 0.6

_WORD = re.compile(r"\w+")
_STOPWORDS = frozenset(
    """a an the of to in on at by for from with and or but nor as is are was were be been being
    it its this that these those he she they we you i his her their our your him them us me
    has have had do does did not no so if than then there here which who whom whose what when
    where why how all any both each few more most other some such only own same too very can
    will would should could may might must shall into over under about after before between
    through during against also said says say according""".split()
)


@dataclass(frozen=True)
class ParagraphOp:
    """One operation of an alignment. ``old`` and ``new`` are 1-based paragraph numbers."""

    op: Op
    old: tuple[int, ...]
    new: tuple[int, ...]
    similarity: float | None = None
    edited: bool = False


def content_words(text: str) -> Counter[str]:
    """The lowercased words of ``text`` that carry meaning (stop words left out).

    >>> sorted(content_words("The Azeri Defence Ministry said its army gained control"))
    ['army', 'azeri', 'control', 'defence', 'gained', 'ministry']
    """
    return Counter(w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)


def dice(a: Counter[str], b: Counter[str]) -> float:
    """Dice similarity of two word multisets: 1.0 for the same words, 0.0 for none shared."""
    total = a.total() + b.total()
    if total == 0:
        return 0.0
    return 2 * (a & b).total() / total


def _containment(part: Counter[str], whole: Counter[str]) -> float:
    size = part.total()
    return (part & whole).total() / size if size else 0.0


@dataclass
class _Group:
    """Matched old and new paragraphs (0-based), before they become operations."""

    kind: Literal["equal", "edit", "split", "merge"]
    old: tuple[int, ...]
    new: tuple[int, ...]
    similarity: float | None = None
    moved: bool = field(default=False)


def align(old: Sequence[str], new: Sequence[str]) -> list[ParagraphOp]:
    """Align two versions' body paragraphs (already normalised).

    >>> [(o.op, o.old, o.new) for o in align(["a b c", "d e f"], ["a b c", "x y z", "d e f"])]
    [('equal', (1,), (1,)), ('insert', (), (2,)), ('equal', (2,), (3,))]
    """
    exact: dict[int, int] = {}
    _match_exact(old, new, 0, len(old), 0, len(new), exact)
    anchors = _in_order(sorted(exact.items(), key=lambda pair: pair[1]))
    groups = [_Group("equal", (o,), (n,)) for o, n in sorted(exact.items())]
    groups += _match_similar(old, new, exact, anchors)
    _mark_moves(groups)
    return _in_reading_order(groups, len(old), len(new))


# -- pass 1: exact matches -------------------------------------------------------------------


def _match_exact(
    old: Sequence[str],
    new: Sequence[str],
    old_lo: int,
    old_hi: int,
    new_lo: int,
    new_hi: int,
    pairs: dict[int, int],
) -> None:
    # Iterative over a work list: deeply nested gaps must not hit Python's recursion limit.
    pending = [(old_lo, old_hi, new_lo, new_hi)]
    while pending:
        old_lo, old_hi, new_lo, new_hi = pending.pop()
        while old_lo < old_hi and new_lo < new_hi and old[old_lo] == new[new_lo]:
            pairs[old_lo] = new_lo
            old_lo, new_lo = old_lo + 1, new_lo + 1
        while old_lo < old_hi and new_lo < new_hi and old[old_hi - 1] == new[new_hi - 1]:
            pairs[old_hi - 1] = new_hi - 1
            old_hi, new_hi = old_hi - 1, new_hi - 1
        if old_lo == old_hi or new_lo == new_hi:
            continue
        old_seen = _positions(old, old_lo, old_hi)
        new_seen = _positions(new, new_lo, new_hi)
        unique = sorted(
            (new_seen[text][0], old_seen[text][0])
            for text in old_seen.keys() & new_seen.keys()
            if len(old_seen[text]) == 1 and len(new_seen[text]) == 1
        )
        if not unique:
            _pair_repeats_in_order(old_seen, new_seen, pairs)
            continue
        kept = _in_order([(o, n) for n, o in unique])
        kept_set = set(kept)
        for n, o in unique:
            if (o, n) not in kept_set:
                pairs[o] = n  # identical text that changed place: a move, found in pass 3
        bounds = [(old_lo - 1, new_lo - 1), *kept, (old_hi, new_hi)]
        for (o1, n1), (o2, n2) in zip(bounds, bounds[1:], strict=False):
            if (o2, n2) != (old_hi, new_hi):
                pairs[o2] = n2
            if o1 + 1 < o2 and n1 + 1 < n2:
                pending.append((o1 + 1, o2, n1 + 1, n2))
    # Moved paragraphs were paired at the level that saw them; a gap may have paired the
    # same index again. Keep one pairing per paragraph on both sides.
    _drop_double_pairings(pairs)


def _positions(texts: Sequence[str], lo: int, hi: int) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = defaultdict(list)
    for index in range(lo, hi):
        seen[texts[index]].append(index)
    return seen


def _pair_repeats_in_order(
    old_seen: dict[str, list[int]], new_seen: dict[str, list[int]], pairs: dict[int, int]
) -> None:
    """Pair repeated identical paragraphs k-th with k-th, keeping order across texts."""
    candidates = sorted(
        (o, n)
        for text in old_seen.keys() & new_seen.keys()
        for o, n in zip(old_seen[text], new_seen[text], strict=False)
    )
    for o, n in _in_order(candidates):
        pairs[o] = n


def _drop_double_pairings(pairs: dict[int, int]) -> None:
    seen_new: set[int] = set()
    for o in sorted(pairs):
        if pairs[o] in seen_new:
            del pairs[o]
        else:
            seen_new.add(pairs[o])


def _in_order(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The largest subset of (old, new) pairs increasing in both, least travel among ties.

    ``pairs`` must be sorted by old index and have distinct new indices. Weighted longest
    increasing subsequence in O(n log n): the weight of a pair is a large constant minus
    how far it travelled, so a larger set always wins and ties go to the pairs that moved
    least.
    """
    if not pairs:
        return []
    ordered = sorted(pairs)
    news = sorted({n for _, n in ordered})
    size = len(news)
    big = (len(ordered) + 1) * (max(max(o, n) for o, n in ordered) + 2)
    # Fenwick tree over new-index ranks: best (weight, pair index) ending at or below a rank.
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)
    best_weight = [0] * len(ordered)
    previous = [-1] * len(ordered)
    for i, (o, n) in enumerate(ordered):
        rank = bisect_left(news, n) + 1
        # Best chain that ends at a strictly smaller new index.
        best: tuple[int, int] = (0, -1)
        position = rank - 1
        while position > 0:
            best = max(best, tree[position])
            position -= position & -position
        best_weight[i] = best[0] + big - abs(o - n)
        previous[i] = best[1]
        # Pairs with the same old index cannot chain: insert only after all of that old
        # index were read. Input has distinct old indices, so insert now.
        position = rank
        entry = (best_weight[i], i)
        while position <= size:
            tree[position] = max(tree[position], entry)
            position += position & -position
    end = max(range(len(ordered)), key=lambda i: (best_weight[i], -i))
    chain = []
    while end != -1:
        chain.append(ordered[end])
        end = previous[end]
    return chain[::-1]


# -- pass 2: similar paragraphs --------------------------------------------------------------


def _match_similar(
    old: Sequence[str],
    new: Sequence[str],
    exact: dict[int, int],
    anchors: list[tuple[int, int]],
) -> list[_Group]:
    matched_new = set(exact.values())
    free_old = [o for o in range(len(old)) if o not in exact]
    free_new = [n for n in range(len(new)) if n not in matched_new]
    if not free_old or not free_new:
        return []
    old_words = {o: content_words(old[o]) for o in free_old}
    new_words = {n: content_words(new[n]) for n in free_new}
    anchor_old = [o for o, _ in anchors]
    anchor_new = [n for _, n in anchors]
    gap_of_old = {o: bisect_left(anchor_old, o) for o in free_old}
    gap_of_new = {n: bisect_left(anchor_new, n) for n in free_new}

    def same_gap(o: int, n: int) -> bool:
        return gap_of_old[o] == gap_of_new[n]

    candidates_new = _candidates(old_words, new_words, gap_of_old, gap_of_new)
    candidates_old = _candidates(new_words, old_words, gap_of_new, gap_of_old)
    candidates: list[tuple[float, int, tuple[int, ...], tuple[int, ...]]] = []
    best_for_old: dict[int, float] = defaultdict(float)
    best_for_new: dict[int, float] = defaultdict(float)
    for o in free_old:
        for n in candidates_new[o]:
            score = dice(old_words[o], new_words[n])
            best_for_old[o] = max(best_for_old[o], score)
            best_for_new[n] = max(best_for_new[n], score)
            threshold = EDIT_THRESHOLD if same_gap(o, n) else MOVED_EDIT_THRESHOLD
            if score >= threshold:
                candidates.append((score, _EDIT, (o,), (n,)))
    for o in free_old:
        parts = [n for n in candidates_new[o] if same_gap(o, n)]
        for run in _runs(old_words[o], parts, new_words):
            score = dice(old_words[o], sum((new_words[n] for n in run), Counter()))
            if score >= SPLIT_THRESHOLD and score > best_for_old[o] + 0.1:
                candidates.append((score, _SPLIT, (o,), run))
    for n in free_new:
        parts = [o for o in candidates_old[n] if same_gap(o, n)]
        for run in _runs(new_words[n], parts, old_words):
            score = dice(new_words[n], sum((old_words[o] for o in run), Counter()))
            if score >= SPLIT_THRESHOLD and score > best_for_new[n] + 0.1:
                candidates.append((score, _MERGE, run, (n,)))
    # Best first; ties broken by position so the result never depends on set ordering.
    candidates.sort(key=lambda c: (-c[0], c[2], c[3], c[1]))
    used_old: set[int] = set()
    used_new: set[int] = set()
    groups = []
    for score, kind, olds, news in candidates:
        if used_old.intersection(olds) or used_new.intersection(news):
            continue
        used_old.update(olds)
        used_new.update(news)
        groups.append(_Group(_KINDS[kind], olds, news, round(score, 2)))
    return groups


_EDIT, _SPLIT, _MERGE = 0, 1, 2
_KINDS: tuple[Literal["edit", "split", "merge"], ...] = ("edit", "split", "merge")


#: A word in more free paragraphs than this says little about which pairs belong together;
#: it still counts in the similarity, but does not make paragraphs candidates.
DISTINCTIVE_WORD_LIMIT = 8
#: Gaps with more paragraph pairs than this are searched through distinctive words only,
#: which keeps a completely rewritten long article from costing quadratic time.
MAX_GAP_PAIRS = 40_000


def _candidates(
    these: dict[int, Counter[str]],
    others: dict[int, Counter[str]],
    gap_of_these: dict[int, int],
    gap_of_others: dict[int, int],
) -> dict[int, list[int]]:
    """For each of ``these``, the ``others`` worth scoring against it, in order.

    Those in the same gap between anchors (where edits stay), and anywhere those sharing a
    distinctive word (how a moved and edited paragraph is found).
    """
    frequency: Counter[str] = Counter()
    for words in (*these.values(), *others.values()):
        frequency.update(words.keys())
    distinctive: dict[str, list[int]] = defaultdict(list)
    in_gap: dict[int, list[int]] = defaultdict(list)
    for key, words in others.items():
        in_gap[gap_of_others[key]].append(key)
        for word in words:
            if frequency[word] <= DISTINCTIVE_WORD_LIMIT:
                distinctive[word].append(key)
    gap_sizes = Counter(gap_of_these.values())
    result = {}
    for key, words in these.items():
        gap = gap_of_these[key]
        found = {other for word in words for other in distinctive.get(word, ())}
        if gap_sizes[gap] * len(in_gap[gap]) <= MAX_GAP_PAIRS:
            found.update(in_gap[gap])
        result[key] = sorted(found)
    return result


def _runs(
    whole: Counter[str], parts: list[int], part_words: dict[int, Counter[str]]
) -> list[tuple[int, ...]]:
    """Runs of two or more consecutive ``parts``, each made mostly of ``whole``'s words."""
    runs: list[tuple[int, ...]] = []
    current: list[int] = []
    for part in parts:
        if _containment(part_words[part], whole) < PART_CONTAINMENT:
            continue
        if current and part != current[-1] + 1:
            if len(current) >= 2:
                runs.append(tuple(current))
            current = []
        current.append(part)
    if len(current) >= 2:
        runs.append(tuple(current))
    return runs


# -- pass 3: moves ---------------------------------------------------------------------------


def _mark_moves(groups: list[_Group]) -> None:
    pairs = sorted((g.old[0], g.new[0]) for g in groups)
    kept = set(_in_order(pairs))
    for group in groups:
        group.moved = (group.old[0], group.new[0]) not in kept


# -- pass 4: reading order -------------------------------------------------------------------


def _in_reading_order(groups: list[_Group], old_count: int, new_count: int) -> list[ParagraphOp]:
    by_new = {group.new[0]: group for group in groups}
    matched_old = {o for group in groups for o in group.old}
    matched_new = {n for group in groups for n in group.new}
    deleted = [o for o in range(old_count) if o not in matched_old]
    ops: list[ParagraphOp] = []
    next_deleted = 0

    def flush_deletions(before_old: int) -> None:
        nonlocal next_deleted
        while next_deleted < len(deleted) and deleted[next_deleted] < before_old:
            ops.append(ParagraphOp("delete", (deleted[next_deleted] + 1,), ()))
            next_deleted += 1

    for n in range(new_count):
        if n not in matched_new:
            ops.append(ParagraphOp("insert", (), (n + 1,)))
            continue
        group = by_new.get(n)
        if group is None:
            continue  # a later paragraph of a split, already listed with its first
        if not group.moved:
            flush_deletions(group.old[0])
        ops.append(_to_op(group))
    flush_deletions(old_count)
    return ops


def _to_op(group: _Group) -> ParagraphOp:
    old = tuple(o + 1 for o in group.old)
    new = tuple(n + 1 for n in group.new)
    if group.kind in ("split", "merge"):
        return ParagraphOp(group.kind, old, new, group.similarity)
    if group.moved:
        return ParagraphOp("move", old, new, group.similarity, edited=group.kind == "edit")
    return ParagraphOp(group.kind, old, new, group.similarity)
