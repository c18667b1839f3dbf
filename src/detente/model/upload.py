"""Upload defaults: per-system maximum loading, reloadable launchers, rates and delays, and
per-party reserves by leg, read from ``data/upload.yaml`` (or a file in the same format) with
every number's provenance (docs/upload.md). Every field must be written out: a number that no
source gives is an ``assumption`` with its reason, never a silent default."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

from pydantic import Field

from detente.model.catalog import DATA_DIR, check_source_ids, systems
from detente.model.provenance import Sourced
from detente.model.yamlio import load_yaml, validate

UPLOAD_FILE = DATA_DIR / "upload.yaml"
#: Reserve keys of the upload file and the leg names of :mod:`detente.analysis.elements`.
RESERVE_LEGS = {"icbm": "ICBM", "slbm": "SLBM", "bomber": "bomber"}


class Reserve(Sourced):
    """Stored warheads a party can upload onto each leg [warheads]."""

    icbm: float = Field(ge=0)
    slbm: float = Field(ge=0)
    bomber: float = Field(ge=0)

    def by_leg(self) -> dict[str, float]:
        """``{"ICBM": ..., "SLBM": ..., "bomber": ...}``."""
        return {leg: getattr(self, key) for key, leg in RESERVE_LEGS.items()}


class PartyUpload(Sourced):
    """A party's upload reserve."""

    reserve: Reserve


class SystemUpload(Sourced):
    """How far and how fast one system can upload.

    Attributes
    ----------
    max_loading : float
        Warheads per launcher after upload [warheads/launcher].
    capable_share : float
        Share of deployed launchers able to take ``max_loading``; the rest keep their loading
        [-].
    reloadable_launchers : float
        Non-deployed launchers that can be reloaded and carry ``max_loading`` [launchers].
    unit : {'base', 'boat'}
        What uploads in parallel.
    units : float
        How many bases or boats upload in parallel [count].
    rate_per_unit : float
        Warheads added per month per base, or per boat returning to port [warheads/month].
    start_delay_months : float
        Months from the lapse until upload starts [month].
    """

    max_loading: float = Field(gt=0)
    capable_share: float = Field(ge=0, le=1)
    reloadable_launchers: float = Field(ge=0)
    unit: Literal["base", "boat"]
    units: float = Field(ge=0)
    rate_per_unit: float = Field(ge=0)
    start_delay_months: float = Field(ge=0)
    notes: str | None = None

    @property
    def rate(self) -> float:
        """Warheads the whole system adds per month once started [warheads/month]."""
        return self.units * self.rate_per_unit


class UploadDefaults(Sourced):
    """The contents of an upload file: reserves by party and upload data by system id."""

    parties: dict[str, PartyUpload] = Field(default_factory=dict)
    systems: dict[str, SystemUpload] = Field(default_factory=dict)


def load_upload_defaults(path: str | Path) -> UploadDefaults:
    """Read and validate an upload file; bad values are located :class:`InputError`.

    Examples
    --------
    >>> d = load_upload_defaults(UPLOAD_FILE)
    >>> d.systems["minuteman-iii"].max_loading, d.systems["minuteman-iii"].rate
    (3.0, 60.0)
    >>> d.parties["US"].reserve.provenance["icbm"].status
    'derived'
    """
    doc = load_yaml(path)
    check_source_ids(doc)
    defaults = validate(UploadDefaults, doc)
    known = systems()
    for sid in defaults.systems:
        if sid not in known:
            raise doc.error(
                ("systems", sid), f"unknown system {sid!r} (see `detente data systems`)"
            )
    return defaults


@functools.cache
def upload_defaults() -> UploadDefaults:
    """The bundled upload defaults (``data/upload.yaml``)."""
    return load_upload_defaults(UPLOAD_FILE)
