"""The rules file: every threshold, weight and amount of the business rules (domain.md §4).

Defaults ship in lib/default_rules.toml; a user's data/rules.toml (or --rules PATH) overrides
any subset with the same keys. Unknown keys and values of the wrong type or range are rejected
with a message naming the file and the key. Every value remembers the file it came from.
"""
from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from lib.db import ROOT

DEFAULT_RULES = Path(__file__).resolve().parent / "default_rules.toml"
USER_RULES = ROOT / "data" / "rules.toml"
STAGES_WITH_PROBABILITY = ("market", "lead", "qualified", "signed")
PEER_GROUPS = ("region", "province", "channel", "all")


class RulesError(ValueError):
    """A bad rules file, worded for the user."""


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def fraction(value):
    if not _number(value) or not 0 <= value <= 1:
        return "must be a number between 0 and 1"


def money(value):
    if not _number(value) or value < 0:
        return "must be an amount in yuan, 0 or more"


def positive_int(value):
    if not _integer(value) or value < 1:
        return "must be a whole number, 1 or more"


def whole(value):
    if not _integer(value) or value < 0:
        return "must be a whole number, 0 or more"


def money_list(value):
    if not isinstance(value, list) or not all(_number(v) and v >= 0 for v in value):
        return "must be a list of amounts in yuan, each 0 or more (one per rank: 1st, 2nd, ...)"


def percent_list(value):
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not all(_integer(v) and 0 < v <= 100 for v in value)
        or not value[0] < value[1] < value[2]
    ):
        return "must be three increasing whole percentages in 1..100, for tiers A, B and C"


def peer_group(value):
    if value not in PEER_GROUPS:
        return "must be one of " + ", ".join(f'"{p}"' for p in PEER_GROUPS)


def probabilities(value):
    if not isinstance(value, dict):
        return "must be a table of stage = probability"
    unknown = sorted(set(value) - set(STAGES_WITH_PROBABILITY))
    if unknown:
        return f"has unknown stage {unknown[0]!r}; stages are " + ", ".join(STAGES_WITH_PROBABILITY)
    for stage, p in value.items():
        if fraction(p):
            return f"{stage} must be a number between 0 and 1"


# key -> validator; the keys are the contract of domain.md §4.
SCHEMA: dict[str, dict[str, Callable[[Any], str | None]]] = {
    "funnel": {"probabilities": probabilities, "forecast_horizon_days": positive_int},
    "profit_bands": {"high": money, "medium": money},
    "core": {"share": fraction},
    "lifecycle": {
        "maintenance_coverage": fraction,
        "mining_coverage": fraction,
        "elevation_quarters": positive_int,
        "elevation_max_churn": fraction,
    },
    "tiers": {"peer_group": peer_group, "cumulative_percent": percent_list, "upgrade_margin": fraction},
    "elimination": {"min_achievement": fraction},
    "new_dealer": {
        "monthly_min": money,
        "window_total": money,
        "window_months": positive_int,
        "max_months_to_first_order": whole,
    },
    "contest": {
        "min_intentions": whole,
        "intention_penalty": money,
        "min_developed": whole,
        "shortfall_penalty": money,
        "extra_bonus": money,
        "top_awards": money_list,
        "bottom_fines": money_list,
        "new_dealer_months": positive_int,
    },
    "contest_score": {"developed_weight": fraction, "collected_weight": fraction},
    "contracts": {"months": positive_int, "watch_days": whole},
}


@dataclass(frozen=True)
class Rules:
    """Resolved rule values (section -> key -> value) and the file each value came from."""

    values: dict[str, dict[str, Any]]
    sources: dict[str, str]  # "section.key" -> file path
    files: tuple[str, ...]

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.values[section]

    def get(self, dotted: str) -> Any:
        section, key = dotted.split(".", 1)
        return self.values[section][key]

    def rows(self) -> list[dict[str, Any]]:
        """One row per key: key, value, source (for the Data page and `cli rules`)."""
        return [
            {"key": f"{s}.{k}", "value": json.dumps(v, ensure_ascii=False), "source": self.sources[f"{s}.{k}"]}
            for s, keys in self.values.items()
            for k, v in keys.items()
        ]

    @property
    def fingerprint(self) -> str:
        """A stable text of the values, so caches keyed on rules notice an override."""
        return json.dumps(self.values, sort_keys=True)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __eq__(self, other) -> bool:
        return isinstance(other, Rules) and self.fingerprint == other.fingerprint


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise RulesError(f"{path}: rules file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot be read ({exc})") from None


def _check(path: Path, data: dict) -> list[str]:
    problems = []
    for section, keys in data.items():
        if section not in SCHEMA:
            problems.append(f"{path}: unknown section [{section}]")
            continue
        if not isinstance(keys, dict):
            problems.append(f"{path}: {section} must be a table [{section}]")
            continue
        for key, value in keys.items():
            if key not in SCHEMA[section]:
                problems.append(f"{path}: unknown key {section}.{key}")
                continue
            reason = SCHEMA[section][key](value)
            if reason:
                problems.append(f"{path}: {section}.{key} {reason} (got {value!r})")
    return problems


def _check_consistency(path: str, values: dict) -> list[str]:
    problems = []
    life = values["lifecycle"]
    if life["maintenance_coverage"] > life["mining_coverage"]:
        problems.append(f"{path}: lifecycle.maintenance_coverage must not exceed lifecycle.mining_coverage")
    bands = values["profit_bands"]
    if bands["medium"] > bands["high"]:
        problems.append(f"{path}: profit_bands.medium must not exceed profit_bands.high")
    return problems


def default_rules() -> Rules:
    """The shipped defaults alone, ignoring any data/rules.toml (tests, comparisons)."""
    return load_rules(use_user_file=False)


def load_rules(path: Path | str | None = None, use_user_file: bool = True) -> Rules:
    """Defaults, overridden by `path` if given, else by data/rules.toml when it exists."""
    defaults = _read_toml(DEFAULT_RULES)
    values = {s: dict(k) for s, k in defaults.items()}
    sources = {f"{s}.{k}": "default" for s, keys in defaults.items() for k in keys}
    files = [str(DEFAULT_RULES)]
    user = Path(path) if path else (USER_RULES if use_user_file and USER_RULES.exists() else None)
    if user is not None:
        data = _read_toml(user)
        problems = _check(user, data)
        if problems:
            raise RulesError("\n".join(problems))
        for section, keys in data.items():
            for key, value in keys.items():
                if key == "probabilities":  # a partial table overrides only the stages it names
                    value = {**values[section][key], **value}
                values[section][key] = value
                sources[f"{section}.{key}"] = str(user)
        files.append(str(user))
        problems = _check_consistency(str(user), values)
        if problems:
            raise RulesError("\n".join(problems))
    return Rules(values=values, sources=sources, files=tuple(files))
