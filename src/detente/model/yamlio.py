"""Safe YAML loading that remembers where every value came from.

Every value in a loaded document keeps the line it was written on, so a validation error can
name the file, the line and the field. Only PyYAML's safe constructors are used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor

from detente.errors import InputError
from detente.model.yamlguard import check_file_size, check_yaml

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Document:
    """Plain data parsed from YAML plus the 1-based line of every mapping key and list item.

    Attributes
    ----------
    data : Any
        The parsed value (dicts, lists, scalars).
    file : str
        Where it came from (a path, or a label such as ``<request>``).
    lines : dict
        Line of each path, a path being a tuple of keys and list indices.
    """

    data: Any
    file: str
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of ``path`` or of its longest prefix that was written in the file."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def error(self, path: Path_, message: str) -> InputError:
        """An :class:`InputError` located at ``path``."""
        return InputError(
            message,
            file=self.file,
            line=self.line_of(path),
            field=".".join(str(p) for p in path) or None,
        )

    def sub(self, path: Path_) -> Document:
        """The document rooted at ``path`` (lines re-keyed), for validating a part of a file."""
        node = self.data
        for key in path:
            node = node[key]
        n = len(path)
        lines = {p[n:]: line for p, line in self.lines.items() if p[:n] == tuple(path)}
        return Document(node, self.file, lines)


def _walk(node: yaml.Node, ctor: SafeConstructor, path: Path_, lines: dict) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        ctor.flatten_mapping(node)
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = ctor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise InputError(
                    "mapping keys must be plain scalars",
                    line=key_node.start_mark.line + 1,
                    field=".".join(map(str, path)) or None,
                )
            if key in out:
                raise InputError(
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                    field=".".join(map(str, (*path, key))),
                )
            sub = (*path, key)
            out[key] = _walk(value_node, ctor, sub, lines)
            lines[sub] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, ctor, (*path, i), lines) for i, item in enumerate(node.value)]
    try:
        return ctor.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. a date that does not exist: 2020-02-30
        raise InputError(
            f"invalid value {node.value!r}: {exc}",
            line=node.start_mark.line + 1,
            field=".".join(map(str, path)) or None,
        ) from None


def parse_yaml(text: str, file: str = "<input>") -> Document:
    """Parse YAML text safely into a :class:`Document`.

    Raises
    ------
    InputError
        On a syntax error, naming the file and line.

    Examples
    --------
    >>> doc = parse_yaml("a: 1\\nb:\\n  - x\\n  - y\\n", "demo.yaml")
    >>> doc.data
    {'a': 1, 'b': ['x', 'y']}
    >>> doc.line_of(("b", 1))
    4
    """
    check_yaml(text, file)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            f"invalid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            field=".".join(map(str, _path_at_syntax_error(text))) or None,
        ) from None
    if node is None:
        return Document(None, file, {(): 1})
    lines: dict[Path_, int] = {}
    try:
        data = _walk(node, SafeConstructor(), (), lines)
    except InputError as exc:
        exc.file = file
        raise InputError(exc.message, file=file, line=exc.line, field=exc.field) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}",
            file=file,
            line=mark.line + 1 if mark else None,
        ) from None
    return Document(data, file, lines)


def _path_at_syntax_error(text: str) -> Path_:
    """Path of the last key or item parsed before a YAML syntax error (the field it is in).

    Examples
    --------
    >>> _path_at_syntax_error("a:\\n  b: [1, 2\\nc: 3\\n")
    ('a', 'b', 1)
    """
    # Each frame: [is_mapping, key or item index, waiting for a key].
    stack: list[list[Any]] = []

    def value_done() -> None:
        if stack and stack[-1][0]:
            stack[-1][2] = True

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            top = stack[-1] if stack else None
            starts = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
            if top is not None and not top[0] and (starts or isinstance(event, yaml.NodeEvent)):
                top[1] += 1
            if isinstance(event, yaml.MappingStartEvent):
                stack.append([True, None, True])
            elif isinstance(event, yaml.SequenceStartEvent):
                stack.append([False, -1, False])
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                stack.pop()
                value_done()
            elif isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if top is not None and top[0] and top[2]:
                    top[1], top[2] = getattr(event, "value", None), False
                else:
                    value_done()
    except yaml.YAMLError:
        pass
    return tuple(f[1] for f in stack if f[1] is not None and f[1] != -1)


def load_yaml(path: str | Path) -> Document:
    """Read and parse a YAML file; a missing or unreadable file is an :class:`InputError`."""
    path = Path(path)
    check_file_size(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", file=path) from None
    return parse_yaml(text, str(path))


def _data_path(data: Any, loc: tuple) -> Path_:
    """Keep the parts of a pydantic error location that index into the raw data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, Mapping) and isinstance(part, str) and "[" not in part:
            out.append(part)  # a missing field: name it, its parent's line locates it
            node = None
    return tuple(out)


def _messages(exc: ValidationError) -> Iterator[tuple[tuple, str]]:
    for err in exc.errors(include_url=False):
        msg = err["msg"]
        if err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        elif err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "required field is missing"
        yield err["loc"], msg


def validate(model: type[M], doc: Document, **context: Any) -> M:
    """Validate ``doc`` as ``model``; the first error becomes a located :class:`InputError`."""
    if not isinstance(doc.data, Mapping):
        raise doc.error((), f"expected a mapping for {model.__name__}, got {_kind(doc.data)}")
    try:
        return model.model_validate(doc.data, context=context or None)
    except ValidationError as exc:
        loc, msg = next(_messages(exc))
        path = _data_path(doc.data, loc)
        raise doc.error(path, msg) from None


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__
