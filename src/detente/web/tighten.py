"""Web request models derived from the models of :mod:`detente.model`, held to tighter bounds.

A request model made by :func:`tightened` is a subclass of the model: the same fields, defaults
and validators, so a field the model gains reaches the web API without a second edit; only the
bounds given here are tighter (a looser one is refused when the module is imported).
"""

from __future__ import annotations

import copy
import functools
import operator
from collections.abc import Mapping
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

#: The metadata of a field's own bound of each kind: an upper bound is loosened by a larger
#: value, a lower bound by a smaller one.
_BOUNDS = {
    "le": (max, ((at.Le, "le"), (at.Lt, "lt"))),
    "lt": (max, ((at.Le, "le"), (at.Lt, "lt"))),
    "max_length": (max, ((at.MaxLen, "max_length"),)),
    "ge": (min, ((at.Ge, "ge"), (at.Gt, "gt"))),
    "gt": (min, ((at.Ge, "ge"), (at.Gt, "gt"))),
    "min_length": (min, ((at.MinLen, "min_length"),)),
}


def tightened(
    model: type[BaseModel],
    name: str,
    module: str,
    /,
    *,
    types: Mapping[type, type] | None = None,
    defaults: Mapping[str, Any] | None = None,
    **bounds: Mapping[str, Any],
) -> type[BaseModel]:
    """A web request model derived from a model of :mod:`detente.model`: the same fields,
    defaults and validators, held to tighter bounds. ``module`` is the module that binds it to
    ``name`` (requests are pickled to the worker processes by that name).

    ``bounds`` maps a field to pydantic constraints (``le``, ``ge``, ``max_length``, ...) that
    may only tighten the field's own; ``types`` replaces nested models by their derived request
    models wherever a field holds them; ``defaults`` gives a required field the value a request
    gets without it (a file's name stands in for a scenario's missing name; a request has
    none). Fields the model gains later reach the web API as they are.
    """
    swap, defaults = dict(types or {}), dict(defaults or {})
    fields: dict[str, Any] = {}
    for field, info in model.model_fields.items():
        annotation = _swapped(info.annotation, swap)
        given = bounds.pop(field, None)
        if given is None and annotation == info.annotation and field not in defaults:
            continue
        if given:
            _check_tighter(model, field, info, given)
            annotation = Annotated[annotation, Field(**given)]
        info = copy.copy(info)
        if field in defaults:
            info.default = defaults.pop(field)
        fields[field] = (annotation, info)
    if bounds or defaults:
        raise TypeError(f"{model.__name__} has no field {', '.join({**bounds, **defaults})}")
    return create_model(name, __base__=model, __module__=module, __doc__=model.__doc__, **fields)


def _swapped(annotation: Any, swap: Mapping[type, type]) -> Any:
    """``annotation`` with every model in ``swap`` replaced (inside unions, tuples, dicts)."""
    if annotation in swap:
        return swap[annotation]
    origin, args = get_origin(annotation), get_args(annotation)
    if not args or origin is Literal:
        return annotation
    new = tuple(_swapped(a, swap) if a is not Ellipsis else a for a in args)
    if new == args:
        return annotation
    if origin is Annotated:
        return Annotated[(new[0], *args[1:])]
    if origin in (Union, UnionType):
        return functools.reduce(operator.or_, new)
    return origin[new]


def _check_tighter(model: type, field: str, info: FieldInfo, given: Mapping[str, Any]) -> None:
    """Refuse (at import) a bound that would let the web take what the model refuses."""
    own = list(info.metadata)
    for arg in get_args(info.annotation):
        if get_origin(arg) is Annotated:
            for m in get_args(arg)[1:]:
                own += m.metadata if isinstance(m, FieldInfo) else [m]
    for key, value in given.items():
        loosest, kinds = _BOUNDS[key]
        for m in own:
            for cls, attr in kinds:
                old = getattr(m, attr) if isinstance(m, cls) else None
                if old is not None and loosest(value, old) != old:
                    raise TypeError(f"{model.__name__}.{field}: {key}={value} loosens {m}")
