"""Read YAML while remembering the line of every mapping key, so errors can name file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from .errors import CollectbotError


class LineDict(dict):
    """A dict that knows the 1-based line of each of its keys (and of itself)."""

    lines: dict[Any, int]
    line: int

    def line_of(self, key: Any) -> int:
        return self.lines.get(key, self.line)


class LineList(list):
    line: int
    lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.lines = {}
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool) and isinstance(key_node, yaml.ScalarNode):
            key = key_node.value  # YAML 1.1 reads the key `on:` (a step's weekdays) as True; keep the word
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlError(CollectbotError):
    def __init__(self, file: str, line: int | None, message: str):
        super().__init__(f"{file}:{line}: {message}" if line else f"{file}: {message}")
        self.file, self.line, self.message = file, line, message


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes YamlError with the file and line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(str(path), None, f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # saved by an editor in Windows-1252 or another legacy encoding
        line = data[:exc.start].count(b"\n") + 1
        raise YamlError(str(path), line, f"not UTF-8 text (byte 0x{data[exc.start]:02x}): save the file as UTF-8 "
                                         "(in Notepad: Save as, Encoding UTF-8)") from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlError(str(path), line, f"invalid YAML: {exc.problem or exc}") from None
