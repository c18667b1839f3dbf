"""Results in words: the sentences that read a stability result to a newcomer.

One function per reading, shared by the web page (:func:`detente.web.page.explore`) and the HTML
reports, so a number and the words beside it always come from the same result. The wording
follows docs/models.md §2: r = C1 / C2 is the probability of being attacked above which striking
first becomes a side's cheaper choice; the index is the product of both sides' r, each capped
at 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from detente.model.glossary import party_name

#: Above this index the reading calls the pair close to stable; below the next, strongly unstable.
#: Bands for words only (the number is always shown beside them), not a model threshold.
BANDS = ((0.9, "close to 1"), (0.6, "well below 1"), (0.0, "far below 1"))


def two_digits(x: float) -> str:
    """An index or ratio as the page and reports print it (two decimals).

    Examples
    --------
    >>> two_digits(0.60337)
    '0.60'
    """
    return f"{x:.2f}"


def _band(fsi: float) -> str:
    return next(words for low, words in BANDS if fsi >= low)


def _side(label: str, other: str, r_uncapped: float) -> str:
    name, them = party_name(label, in_text=True), party_name(other, in_text=True)
    name = name[0].upper() + name[1:]
    if r_uncapped >= 1:
        return (
            f"{name} would lose more by striking first than by being struck "
            f"(cost ratio r {two_digits(r_uncapped)}), so it gains nothing by striking first."
        )
    pct = f"{100 * r_uncapped:.0f} %"
    return (
        f"{name} would lose less by striking first than by being struck "
        f"(cost ratio r {two_digits(r_uncapped)}): striking first becomes its cheaper choice "
        f"once it judges a first strike by {them} more likely than {pct}."
    )


def stability_sentence(fsi: float, r_uncapped: Mapping[str, float], labels: Sequence[str]) -> str:
    """The reading of a two-sided first-strike stability result.

    Parameters
    ----------
    fsi : float
        First-strike stability index [0-1].
    r_uncapped : mapping
        Each side's cost ratio C1 / C2, not capped [-], by party label.
    labels : sequence of str
        The two party labels, side A first.

    Returns
    -------
    str
        Two or three sentences: the index against 1, then each side's incentive.

    Examples
    --------
    >>> print(stability_sentence(0.6, {"US": 0.63, "RU": 0.95}, ["US", "RU"]))
    ... # doctest: +NORMALIZE_WHITESPACE
    At 0.60 the index is well below 1 (1 = neither side gains by striking first). The United
    States would lose less by striking first than by being struck (cost ratio r 0.63): striking
    first becomes its cheaper choice once it judges a first strike by Russia more likely than
    63 %. Russia would lose less by striking first than by being struck (cost ratio r 0.95):
    striking first becomes its cheaper choice once it judges a first strike by the United States
    more likely than 95 %.
    """
    a, b = labels[0], labels[1]
    if min(r_uncapped[a], r_uncapped[b]) >= 1:
        head = (
            f"At {two_digits(fsi)} the index is at its best: neither side would lose less by "
            "striking first than by being struck."
        )
    else:
        head = (
            f"At {two_digits(fsi)} the index is {_band(fsi)} "
            "(1 = neither side gains by striking first)."
        )
    return " ".join((head, _side(a, b, r_uncapped[a]), _side(b, a, r_uncapped[b])))
