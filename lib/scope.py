"""Which part of the dealer network a view or report covers.

A Scope is a set of filters (empty = everything) plus, for a signed-in user, the part of the
network they may see (`access`). Queries apply it in SQL through the scope macros
(queries/_macros.sql), bound as list parameters, never spliced into SQL text:

- `params()` is the filter narrowed by the access: what every query returns. The filter can
  narrow the access but never widen it.
- `comparison_params()` is the filter alone: the group a ranking compares (R9/R10 ranks keep their
  true values for a manager; rows outside the access are still never returned).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

DIMENSIONS = ("regions", "provinces", "territories", "salespeople")
# Matches no region, province, territory or rep: what an empty intersection selects.
NOTHING = ("\0nothing",)


def _clean(values: Iterable[str] | None) -> tuple[str, ...]:
    # Sorted and de-duplicated so equal scopes compare (and cache) equal.
    return tuple(sorted({str(v).strip() for v in (values or ()) if str(v).strip()}))


def _intersect(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    if not a:
        return b
    if not b:
        return a
    return tuple(sorted(set(a) & set(b))) or NOTHING


@dataclass(frozen=True)
class Scope:
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    salespeople: tuple[str, ...] = ()
    access: "Scope | None" = None  # what the signed-in user may see; None = everything

    @classmethod
    def of(cls, regions=None, provinces=None, territories=None, salespeople=None) -> "Scope":
        return cls(_clean(regions), _clean(provinces), _clean(territories), _clean(salespeople))

    def within(self, access: "Scope | None") -> "Scope":
        """This filter, seen by a user who may see only `access`."""
        if access is None or access.is_everything:
            return replace(self, access=None)
        return replace(self, access=replace(access, access=None))

    def filter_only(self) -> "Scope":
        return replace(self, access=None)

    def effective(self) -> "Scope":
        """The filter narrowed by the access, as a plain filter."""
        if self.access is None:
            return self
        return Scope(*(_intersect(getattr(self, d), getattr(self.access, d)) for d in DIMENSIONS))

    def params(self) -> dict[str, list[str]]:
        """Named SQL parameters $regions, $provinces, $territories, $salespeople (filter ∩ access)."""
        effective = self.effective()
        return {d: list(getattr(effective, d)) for d in DIMENSIONS}

    def comparison_params(self) -> dict[str, list[str]]:
        """The same parameters for the filter alone: the group a ranking compares."""
        return {d: list(getattr(self, d)) for d in DIMENSIONS}

    def access_params(self) -> dict[str, list[str]]:
        """$access_* parameters: what the user may see, whatever the filter (empty = everything)."""
        access = self.access or Scope()
        return {f"access_{d}": list(getattr(access, d)) for d in DIMENSIONS}

    def ranking_params(self) -> dict[str, list[str]]:
        """For rankings: the filter as $compare_* (who is compared) and filter ∩ access as the
        usual $regions.. (whose rows are returned)."""
        return {**self.params(), **{f"compare_{d}": v for d, v in self.comparison_params().items()}}

    @property
    def is_everything(self) -> bool:
        return not any(getattr(self, d) for d in DIMENSIONS) and self.access is None

    @property
    def matches_nothing(self) -> bool:
        return any(getattr(self.effective(), d) == NOTHING for d in DIMENSIONS)


EVERYTHING = Scope()
