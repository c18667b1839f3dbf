"""The one JSON encoder: every JSON that detente writes (web API, ``-f json`` on the command
line, ``results.json`` of a report, sweep metadata) goes through :func:`dumps`.

The convention for numbers that are not finite (``docs/uncertainty.md``):

* NaN, +inf and -inf are written as ``null``. JSON has no such numbers (RFC 8259 §6), and a
  string such as ``"inf"`` would break every reader that expects a number.
* So ``null`` in a number field means "no finite value": the quantity does not apply or is
  undefined (NaN), or it is unbounded (an infinite value). Where a quantity can be unbounded,
  its bounded companion says which: an uncapped cost ratio ``r_uncapped`` is ``null`` exactly
  when being struck would cost the side nothing (``C2 = 0``), and its capped ``r`` is then 1.
* Results keep non-finite floats in Python (``to_dict()`` returns ``inf``, never a string);
  only the JSON edge writes ``null``.

Everything else a result holds is written as JSON-ready values: numpy scalars and arrays as
numbers and lists, tuples and sets as lists, dates as ISO 8601 text, paths as text, dataclasses
and pydantic models as objects.

Examples
--------
>>> dumps({"r_uncapped": float("inf"), "x": [1.5, float("nan")], "n": 2})
'{"r_uncapped":null,"x":[1.5,null],"n":2}'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON-ready Python: non-finite numbers as ``None`` (see the module).

    Examples
    --------
    >>> import numpy as np
    >>> jsonable({"a": np.array([1.0, np.inf]), "b": (np.int64(3), dt.date(2026, 2, 5))})
    {'a': [1.0, None], 'b': [3, '2026-02-05']}
    """
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k) if not isinstance(k, str) else k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if hasattr(value, "model_dump"):  # a pydantic model
        return jsonable(value.model_dump(mode="python"))
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return jsonable(value.tolist())
    raise TypeError(f"{type(value).__name__} is not JSON-ready: {value!r}")


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """``value`` as strict JSON text (UTF-8 characters kept; compact unless ``indent``).

    Parameters
    ----------
    value : Any
        A result's ``to_dict()`` or any value :func:`jsonable` accepts.
    indent : int, optional
        Indent for people (command line, ``results.json``); compact without.
    sort_keys : bool
        Sort object keys (stable text for hashes).
    """
    separators = (",", ":") if indent is None else (",", ": ")
    return json.dumps(
        jsonable(value),
        indent=indent,
        sort_keys=sort_keys,
        separators=separators,
        ensure_ascii=False,
        allow_nan=False,
    )
