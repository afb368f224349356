"""The JSON checks both benchmark loaders share: a wrong file fails naming the file, the item and the field."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

DateParser = Callable[[str], datetime]


class DatasetFormatError(ValueError):
    """A benchmark file is not in the expected format; says which file, item and field."""

    def __init__(self, source: str, where: str, problem: str) -> None:
        super().__init__(f"{source}: {where}: {problem}")
        self.source = source
        self.where = where
        self.problem = problem


# --- JSON field helpers ---------------------------------------------------------------------


def read_json(path: str | Path) -> object:
    """Decode a whole file once; a non-JSON file is a format error, a missing one is not."""
    with open(path, "rb") as handle:
        try:
            data: object = json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DatasetFormatError(str(path), "file", f"not valid JSON ({exc})") from exc
    return data


def expect_list(value: object, source: str, where: str, what: str) -> list[object]:
    if not isinstance(value, list):
        raise DatasetFormatError(source, where, f"expected {what}, got {kind(value)}")
    return value


def expect_dict(value: object, source: str, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise DatasetFormatError(source, where, f"expected an object, got {kind(value)}")
    return value


def str_field(obj: Mapping[str, object], name: str, source: str, where: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str):
        raise DatasetFormatError(source, f"{where}.{name}", f"expected a string, got {kind(value)}")
    return value


def scalar_text_field(obj: Mapping[str, object], name: str, source: str, where: str) -> str:
    value = optional_scalar_text(obj, name, source, where)
    if value is None:
        raise DatasetFormatError(source, f"{where}.{name}", "missing")
    return value


def optional_scalar_text(obj: Mapping[str, object], name: str, source: str, where: str) -> str | None:
    """Answers are text but the public files hold some as bare numbers (e.g. 2022)."""
    value = obj.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise DatasetFormatError(source, f"{where}.{name}", f"expected text or a number, got {kind(value)}")


def str_list_field(obj: Mapping[str, object], name: str, source: str, where: str) -> list[str]:
    values = expect_list(obj.get(name), source, f"{where}.{name}", "a list of strings")
    checked: list[str] = []
    for position, value in enumerate(values):
        if not isinstance(value, str):
            raise DatasetFormatError(source, f"{where}.{name}[{position}]", f"expected a string, got {kind(value)}")
        checked.append(value)
    return checked


def date_field(obj: Mapping[str, object], name: str, source: str, where: str, parse: DateParser) -> datetime:
    return parse_date(str_field(obj, name, source, where), source, f"{where}.{name}", parse)


def parse_date(text: str, source: str, where: str, parse: DateParser) -> datetime:
    try:
        return parse(text)
    except ValueError as exc:
        raise DatasetFormatError(source, where, str(exc)) from exc


def kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
