"""Provenance: where a number comes from and what kind of number it is.

In YAML a number is written bare (``400``) or with its provenance::

    deployed: {value: 400, source: fas-us-2025, status: estimate, low: 380, high: 420}

Models derived from :class:`Sourced` keep the bare number in the field and the provenance in
``provenance[field_name]``, so arithmetic never has to unwrap values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Status = Literal["official", "estimate", "derived", "assumption"]
STATUSES: tuple[str, ...] = ("official", "estimate", "derived", "assumption")
PROVENANCE_KEYS = frozenset({"value", "source", "status", "low", "high", "note"})


class Provenance(BaseModel):
    """Source ids, status and optional range of one number.

    Attributes
    ----------
    source : tuple of str
        Ids into ``data/sources.yaml``.
    status : {'official', 'estimate', 'derived', 'assumption'} or None
    low, high : float or None
        Plausible range, same unit as the value.
    note : str or None
        How the figure was derived, or why it is an assumption.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

    source: tuple[str, ...] = ()
    status: Status | None = None
    low: float | None = None
    high: float | None = None
    note: str | None = None

    @field_validator("source", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, str) else v

    @model_validator(mode="after")
    def _range_ordered(self) -> Provenance:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self


class CompleteProvenance(Provenance):
    """Provenance that must be complete: a status, a source id unless the value is an
    assumption, and for an assumption a note that says why.

    The base of models that carry their provenance next to their other fields (inspection
    regimes, risk parameters); their ids are found by
    :func:`detente.model.catalog.iter_inline_source_refs`.

    Examples
    --------
    >>> CompleteProvenance(status="estimate", source="fas-us-2025").sourced
    True
    >>> CompleteProvenance(status="assumption", note="illustrative").sourced
    False
    """

    status: Status

    @model_validator(mode="after")
    def _sourced_or_explained(self) -> CompleteProvenance:
        if self.status == "assumption" and not self.note:
            raise ValueError("an assumption needs a note that says why")
        if self.status != "assumption" and not self.source:
            raise ValueError(f"a value with status '{self.status}' needs a source id")
        return self

    @property
    def sourced(self) -> bool:
        """True unless the value is an assumption (an illustrative value)."""
        return self.status != "assumption"


def is_sourced_value(v: Any) -> bool:
    """True for a mapping written as ``{value: ..., source: ..., ...}``."""
    return isinstance(v, Mapping) and "value" in v and set(v) <= PROVENANCE_KEYS


class Sourced(BaseModel):
    """Base of immutable models whose numeric fields may carry provenance."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

    provenance: dict[str, Provenance] = Field(default_factory=dict, repr=False)

    @model_validator(mode="before")
    @classmethod
    def _split_provenance(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        out = dict(data)
        prov = dict(out.get("provenance") or {})
        for name, v in data.items():
            if name in cls.model_fields and name != "provenance" and is_sourced_value(v):
                out[name] = v["value"]
                prov[name] = {k: x for k, x in v.items() if k != "value"}
        if prov:
            out["provenance"] = prov
        return out

    def sourced_values(self, prefix: str = "") -> Iterator[tuple[str, Any, Provenance | None]]:
        """Every numeric field of this model and its sub-models with its provenance.

        Yields ``(dotted_field, value, provenance_or_None)``; a value of ``None`` means the
        figure was not found.
        """
        for name in type(self).model_fields:
            if name == "provenance":
                continue
            v = getattr(self, name)
            path = f"{prefix}{name}"
            if isinstance(v, Sourced):
                yield from v.sourced_values(path + ".")
            elif isinstance(v, tuple) and v and isinstance(v[0], Sourced):
                for i, item in enumerate(v):
                    yield from item.sourced_values(f"{path}.{i}.")
            elif (isinstance(v, int | float) and not isinstance(v, bool)) or (
                v is None and name in self.provenance
            ):
                yield path, v, self.provenance.get(name)
