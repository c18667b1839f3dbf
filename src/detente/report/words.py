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
            f"(cost ratio C1/C2 {two_digits(r_uncapped)}), so it gains nothing by striking first."
        )
    pct = f"{100 * r_uncapped:.0f} %"
    return (
        f"{name} would lose less by striking first than by being struck "
        f"(cost ratio C1/C2 {two_digits(r_uncapped)}): striking first becomes its cheaper choice "
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
    States would lose less by striking first than by being struck (cost ratio C1/C2 0.63):
    striking first becomes its cheaper choice once it judges a first strike by Russia more
    likely than 63 %. Russia would lose less by striking first than by being struck (cost ratio
    C1/C2 0.95): striking first becomes its cheaper choice once it judges a first strike by the
    United States more likely than 95 %.
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


#: Words for the fields of an input path (``parties.RU.holdings.<holding>.<field>``).
FIELD_WORDS = {
    "alert": "alert fraction",
    "loading": "warheads per launcher",
    "warheads": "warheads",
    "deployed": "deployed launchers",
    "launchers": "",
    "w80": "w80 (warheads for 80 % damage)",
    "interceptors": "missile-defence interceptors",
    "day_to_day": "day-to-day",
    "generated": "generated",
    "assured_destruction_emt": "assured-destruction yardstick [EMT]",
}


#: Words for the alarm conditions of the inadvertent-war risk model.
RISK_CONDITIONS = {"crisis": "in a crisis", "low_tension": "at low tension"}


def risk_label(name: str) -> str:
    """A reader's name for a parameter of the inadvertent-war risk model
    (:mod:`detente.analysis.risk`), whose names are ``crisis_fraction`` or
    ``<side>.<alarm>.rate_per_year | stages.<stage>.<condition> | launch.<condition>``.

    Examples
    --------
    >>> risk_label("US.icbm.rate_per_year")
    'United States, false ICBM-attack alarms: rate per year'
    >>> risk_label("RU.slbm.stages.assessment.crisis")
    'Russia, false SLBM-attack alarms: chance one passes assessment, in a crisis'
    >>> risk_label("crisis_fraction")
    'Share of the time in crisis'
    """
    parts = name.split(".")
    if name == "crisis_fraction":
        return "Share of the time in crisis"
    if len(parts) < 3:
        return name.replace("_", " ")
    alarm = parts[1].upper() if parts[1] in ("icbm", "slbm") else parts[1].replace("_", " ")
    who = f"{party_name(parts[0])}, false {alarm}-attack alarms"
    rest = parts[2:]
    if rest == ["rate_per_year"]:
        return f"{who}: rate per year"
    if rest[0] == "stages" and len(rest) == 3:
        stage = rest[1].replace("_", " ")
        return f"{who}: chance one passes {stage}, {RISK_CONDITIONS.get(rest[2], rest[2])}"
    if rest[0] == "launch" and len(rest) == 2:
        return f"{who}: chance of launch, {RISK_CONDITIONS.get(rest[1], rest[1])}"
    return f"{who}: " + " ".join(r.replace("_", " ") for r in rest)


def input_label(path: str) -> str:
    """A reader's name for an input path of a scenario (uncertain inputs, changes).

    Examples
    --------
    >>> input_label("parties.RU.holdings.r-30-bulava.alert.day_to_day")
    'Russia, R-30 Bulava (RSM-56, SS-N-32) on Project 955/955A Borei: alert fraction, day-to-day'
    >>> input_label("parameters.de")
    'Damage expectancy (DE)'
    """
    from detente.model.catalog import systems
    from detente.model.glossary import terms

    parts = path.split(".")
    known = terms()
    if parts[0] == "parameters" and len(parts) == 2:
        term = known.get(parts[1])
        if term is not None:
            symbol = term.get("symbol")
            return term["label"] + (f" ({symbol})" if symbol else "")
        return FIELD_WORDS.get(parts[1], parts[1].replace("_", " ")).capitalize()
    if parts[0] == "parties" and len(parts) >= 3:
        words = [party_name(parts[1])]
        rest = parts[2:]
        if rest[0] == "holdings" and len(rest) >= 2:
            system = systems().get(rest[1])
            words[0] += f", {system.name if system else rest[1]}"
            rest = rest[2:]
        fields = [FIELD_WORDS.get(p, p.replace("_", " ")) for p in rest]
        fields = [f for f in fields if f]
        return words[0] + (": " + ", ".join(fields) if fields else "")
    return path


#: Words for the per-party columns of the report's tables (``posture_US`` -> ``Posture, ...``).
COLUMN_PREFIX = {
    "posture": "Posture",
    "lua": "Launch under attack",
    "r": "Cost ratio r",
    "C1": "Cost of striking first",
    "C2": "Cost of being struck",
}


def column_label(column: str) -> str:
    """A reader's name for a table column of per-party values.

    Examples
    --------
    >>> column_label("posture_US"), column_label("fsi"), column_label("pair")
    ('Posture, United States', 'FSI', 'Pair')
    """
    head, _, code = column.rpartition("_")
    if head in COLUMN_PREFIX and code.isupper():
        return f"{COLUMN_PREFIX[head]}, {party_name(code)}"
    return "FSI" if column == "fsi" else column.replace("_", " ").capitalize()
