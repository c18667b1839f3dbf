"""The bibliography: a source is the primary publication; where its text was read is ``via``.

An entry of ``data/sources*.yaml`` names the publication itself (a journal article with its
volume, issue, pages and DOI; a fact sheet with its title and date; a report with its number).
A repost, mirror, press summary or abstract service that the text was actually read in is a
:class:`Via` of the entry, never its ``url``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

#: A DOI as Crossref writes it: ``10.<registrant>/<suffix>`` (no ``https://doi.org/`` prefix).
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
#: Pages of an article: one page or a range (``53-79``).
PAGES_PATTERN = re.compile(r"^\d+(-\d+)?$")


class Via(BaseModel):
    """Where the text of a source was read when it was not read at its publisher: a repost,
    mirror, press summary or abstract service. Kept apart from the source it reproduces, so a
    repost is never cited as the source itself.

    Attributes
    ----------
    publisher : str
        Who put the copy online (site or outlet).
    title, date, url : optional
        The copy's own title, date and address.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

    publisher: str
    title: str | None = None
    date: dt.date | str | None = None
    url: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _year_alone(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    def text(self) -> str:
        """One line: ``publisher, "title", date (url)``.

        Examples
        --------
        >>> Via(publisher="MR Online", url="https://mronline.org/x").text()
        'MR Online (https://mronline.org/x)'
        """
        parts = [self.publisher]
        if self.title:
            parts.append(f'"{self.title}"')
        if self.date:
            parts.append(str(self.date))
        return ", ".join(parts) + (f" ({self.url})" if self.url else "")


class Source(BaseModel):
    """One entry of the bibliography: the primary publication.

    ``url`` is the publisher's address of the publication (or none when it was not reached);
    ``via`` lists where its text was actually read, if elsewhere. A journal article gives its
    ``volume``, ``issue``, ``pages`` and ``doi``; a field not confirmed is left out and
    ``notes`` says so.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, defer_build=True)

    id: str
    publisher: str
    title: str
    date: dt.date | str | None = None
    url: str | None = None
    authors: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    via: tuple[Via, ...] = ()
    notes: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _year_alone(cls, v: Any) -> Any:
        """A bare year (``date: 1987``) is kept as text, not read as a Unix timestamp."""
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("volume", "issue", mode="before")
    @classmethod
    def _number_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v

    @field_validator("via", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return (v,) if isinstance(v, Mapping) else v

    @field_validator("doi")
    @classmethod
    def _doi_form(cls, v: str | None) -> str | None:
        if v is not None and not DOI_PATTERN.match(v):
            raise ValueError(f"DOI {v!r} is not of the form 10.NNNN/suffix (no https://doi.org/)")
        return v

    @field_validator("pages")
    @classmethod
    def _pages_form(cls, v: str | None) -> str | None:
        if v is not None and not PAGES_PATTERN.match(v):
            raise ValueError(f"pages {v!r} are not a page or a range like 53-79")
        return v

    @model_validator(mode="after")
    def _via_is_not_the_source(self) -> Source:
        if self.url is not None and any(v.url == self.url for v in self.via):
            raise ValueError(
                f"url {self.url!r} is also a 'via' address: a copy read elsewhere goes in "
                "'via', the url is the publisher's"
            )
        return self

    def reference(self) -> str:
        """The citation on one line, without the URL and the via copies.

        Examples
        --------
        >>> Source(id="x", publisher="Bulletin of the Atomic Scientists", title="T",
        ...        authors="A. B.", volume=81, issue=4, pages="313-326",
        ...        doi="10.1080/0096", date="2025-07").reference()
        'A. B., "T", Bulletin of the Atomic Scientists 81(4):313-326, 2025-07, doi:10.1080/0096'
        """
        where = self.publisher
        if self.volume:
            where += f" {self.volume}" + (f"({self.issue})" if self.issue else "")
            where += f":{self.pages}" if self.pages else ""
        elif self.pages:
            where += f", pp. {self.pages}"
        parts = [f"{self.authors}, " if self.authors else "", f'"{self.title}", {where}']
        if self.date:
            parts.append(f", {self.date}")
        if self.doi:
            parts.append(f", doi:{self.doi}")
        return "".join(parts)

    def via_text(self) -> str:
        """``read via ...`` for each copy the text was read in, ``""`` when read at source.

        Examples
        --------
        >>> Source(id="x", publisher="P", title="T", via={"publisher": "MR Online"}).via_text()
        'read via MR Online'
        """
        return "; ".join(f"read via {v.text()}" for v in self.via)
