"""Which part of the dealer network a view or report covers.

A Scope is a set of filters (empty = everything); queries apply it in SQL through the scope
macros (queries/_macros.sql), bound as list parameters, never spliced into SQL text.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Iterable


def _clean(values: Iterable[str] | None) -> tuple[str, ...]:
    # Sorted and de-duplicated so equal scopes compare (and cache) equal.
    return tuple(sorted({str(v).strip() for v in (values or ()) if str(v).strip()}))


@dataclass(frozen=True)
class Scope:
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    salespeople: tuple[str, ...] = ()

    @classmethod
    def of(cls, regions=None, provinces=None, territories=None, salespeople=None) -> "Scope":
        return cls(_clean(regions), _clean(provinces), _clean(territories), _clean(salespeople))

    def params(self) -> dict[str, list[str]]:
        """Named SQL parameters $regions, $provinces, $territories, $salespeople."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self)}

    @property
    def is_everything(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


EVERYTHING = Scope()
