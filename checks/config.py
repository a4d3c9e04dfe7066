"""The rules configuration (checks/rules.toml): tolerances, scoring variants, level-1 points."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


DEFAULT_FILE = Path(__file__).with_name("rules.toml")


@dataclass(frozen=True)
class Tolerances:
    total_points: float = 100.0
    points: float = 0.05
    amount: float = 0.01
    execution_score: float = 0.1
    rule_score: float = 0.5


@dataclass(frozen=True)
class Scoring:
    reverse_formula: str = "A/B"
    achieved_tier: float = 0.8
    achieved_words: tuple[str, ...] = ("完成",)
    lower_is_better: tuple[str, ...] = ("成本",)


@dataclass(frozen=True)
class Variant:
    name: str
    match: tuple[str, ...]
    level1_points: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class RulesConfig:
    tolerances: Tolerances = Tolerances()
    scoring: Scoring = Scoring()
    level1_points: dict[str, dict[str, float]] = field(default_factory=dict)  # template → level 1 → points
    variants: tuple[Variant, ...] = ()


REVERSE_FORMULAS = ("A/B", "2-B/A")


def load(path: Path | None = None) -> RulesConfig:
    """Read the rules file (JIXIAO_RULES_FILE, else checks/rules.toml); unknown keys are an error,
    so a typo cannot silently keep a default."""
    path = path or Path(os.environ.get("JIXIAO_RULES_FILE") or DEFAULT_FILE)
    try:
        return _parse(tomllib.loads(path.read_text(encoding="utf-8")))
    except (TypeError, KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


def _parse(data: dict) -> RulesConfig:
    unknown = set(data) - {"tolerances", "scoring", "level1_points", "variants"}
    if unknown:
        raise ValueError(f"unknown section(s) {sorted(unknown)}")
    scoring = data.get("scoring", {})
    if scoring.get("reverse_formula", "A/B") not in REVERSE_FORMULAS:
        raise ValueError(f"scoring.reverse_formula must be one of {REVERSE_FORMULAS}")
    return RulesConfig(
        tolerances=Tolerances(**data.get("tolerances", {})),
        scoring=Scoring(**{k: tuple(v) if isinstance(v, list) else v for k, v in scoring.items()}),
        level1_points=data.get("level1_points", {}),
        variants=tuple(Variant(v["name"], tuple(v["match"]), v.get("level1_points", {}))
                       for v in data.get("variants", [])),
    )
