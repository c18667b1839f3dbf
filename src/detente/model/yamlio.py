"""Safe YAML loading that remembers where every value came from.

Every value in a loaded document keeps the line it was written on, so a validation error can
name the file, the line and the field. Only PyYAML's safe constructors are used.

Speed: a document is parsed by libyaml (PyYAML's C parser) without line marks; the lines
are found only when asked for (an error to locate), by parsing again with marks in pure
Python. Anything the fast parse does not take as it is (a syntax error, a duplicate or
non-scalar key, a set or ordered-map tag, a bad value) goes straight to the marked parse,
which names the line. The bundled data files (``detente/data``) are parsed once per content:
their parsed data is kept in :mod:`detente.model.datacache` (plain data and dates only), so
a cached file needs neither PyYAML nor pydantic, which are imported on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from detente.errors import InputError
from detente.model import datacache

if TYPE_CHECKING:
    import yaml
    from pydantic import BaseModel, ValidationError
    from yaml.constructor import SafeConstructor

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound="BaseModel")
DATA_DIR = datacache.DATA_DIR  # the bundled data files


class _Lines(Mapping):
    """The line of each path of a document, found on first use (a marked parse)."""

    def __init__(self, find: Callable[[], Mapping[Path_, int]]) -> None:
        self._find: Callable[[], Mapping[Path_, int]] | None = find
        self._lines: Mapping[Path_, int] = {}

    def _get(self) -> Mapping[Path_, int]:
        if self._find is not None:
            self._lines, self._find = self._find(), None
        return self._lines

    def __getitem__(self, path: Path_) -> int:
        return self._get()[path]

    def __iter__(self) -> Iterator[Path_]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


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
    lines: Mapping[Path_, int] = field(default_factory=dict)

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
        n, path, parent = len(path), tuple(path), self.lines
        return Document(
            node,
            self.file,
            _Lines(lambda: {p[n:]: line for p, line in parent.items() if p[:n] == path}),
        )


def _walk(node: yaml.Node, ctor: SafeConstructor, path: Path_, lines: dict) -> Any:
    import yaml

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


class _LeftToMarkedParseError(Exception):
    """What the fast parse leaves to the marked one."""


def _fast_mapping(loader: Any, node: yaml.MappingNode) -> dict:
    """A mapping as :func:`_walk` builds it; keys it would reject go to the marked parse."""
    loader.flatten_mapping(node)
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key in out:
            raise _LeftToMarkedParseError
        out[key] = loader.construct_object(value_node, deep=True)
    return out


def _to_slow(loader: Any, node: yaml.Node) -> Any:
    raise _LeftToMarkedParseError


@functools.cache
def _fast_loader() -> type:
    """libyaml's parser with the safe constructors; mappings as :func:`_walk` builds them."""
    import yaml

    loader = type("_FastLoader", (getattr(yaml, "CSafeLoader", yaml.SafeLoader),), {})
    loader.add_constructor("tag:yaml.org,2002:map", _fast_mapping)
    for tag in ("set", "omap", "pairs"):  # _walk builds these differently: leave them to it
        loader.add_constructor(f"tag:yaml.org,2002:{tag}", _to_slow)
    return loader


def _fast_parse(text: str) -> tuple[bool, Any]:
    """(True, data) from libyaml, or (False, None) where the marked parse must answer."""
    import yaml

    try:
        return True, yaml.load(text, Loader=_fast_loader())
    except (_LeftToMarkedParseError, yaml.YAMLError, ValueError, TypeError, RecursionError):
        return False, None


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
    from detente.model.yamlguard import check_yaml

    check_yaml(text, file)
    fast, data = _fast_parse(text)
    if fast:
        return _document(data, text, file)
    return _marked_parse(text, file)


def _document(data: Any, text: str, file: str) -> Document:
    """A fast-parsed document whose lines come from a marked parse when first needed."""
    if data is None:
        return Document(None, file, {(): 1})
    return Document(data, file, _Lines(lambda: _lines_of(text, file)))


def _lines_of(text: str, file: str) -> Mapping[Path_, int]:
    """Lines of a document that parsed (no line at all if the marked parse disagrees)."""
    try:
        return _marked_parse(text, file).lines
    except InputError:
        return {}


def _marked_parse(text: str, file: str) -> Document:
    """Parse with line marks in pure Python (slow): the lines, and located errors."""
    import yaml
    from yaml.constructor import SafeConstructor

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
    import yaml

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
    """Read and parse a YAML file; a missing or unreadable file is an :class:`InputError`.

    A bundled data file's parsed data comes from the cache when its content is unchanged.
    """
    path = Path(path)
    bundled = path.resolve().is_relative_to(DATA_DIR)
    if not bundled:
        from detente.model.yamlguard import check_file_size

        check_file_size(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read file: {exc}", file=path) from None
    if not bundled:
        return parse_yaml(text, str(path))
    key = datacache.entry_key("yaml", data=raw)
    found, data = datacache.read(key)
    if not found:
        fast, data = _fast_parse(text)
        if not fast:
            return _marked_parse(text, str(path))
        datacache.write(key, data)
    return _document(data, text, str(path))


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
    from pydantic import ValidationError

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
