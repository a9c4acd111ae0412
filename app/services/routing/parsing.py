"""What people type for routing, read: skills ("billing:3"), weights ("skill=3") and language codes.
Pure: no I/O, so the CLI and the desktop's settings dialog read input the same way."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.services.errors import InvalidInput
from app.services.routing.dto import WEIGHT_FACTORS

SKILL_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")  # as set_agent_routing() takes them
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")


def parse_skills(specs: Sequence[str]) -> dict[str, int]:
    """ "billing:3" (a level of 1 to 5; "billing" alone is level 1) → {"billing": 3}."""
    skills: dict[str, int] = {}
    for spec in specs:
        name, _, level = spec.strip().partition(":")
        try:
            value = int(level) if level else 1
        except ValueError:
            raise InvalidInput(f"{spec!r}: a skill is NAME:LEVEL, e.g. billing:3") from None
        if not name or not 1 <= value <= 5:
            raise InvalidInput(f"{spec!r}: a skill is NAME:LEVEL with a level of 1 to 5")
        if not SKILL_NAME.fullmatch(name):  # as set_agent_routing() checks it ("billing=5" read as a name)
            raise InvalidInput(f"{spec!r}: a skill's name is letters, digits, '.', '_' or '-' (billing:3)")
        skills[name.lower()] = value
    return skills


def parse_weights(specs: Sequence[str]) -> dict[str, float]:
    """ "skill=3" → {"skill": 3.0}; the factors are those of WEIGHT_FACTORS."""
    weights: dict[str, float] = {}
    for spec in specs:
        name, sep, value = spec.strip().partition("=")
        name = name.strip().lower().replace("-", "_").replace(" ", "_")
        if not sep or name not in WEIGHT_FACTORS:
            raise InvalidInput(f"{spec!r}: a weight is FACTOR=VALUE, the factors {', '.join(WEIGHT_FACTORS)}")
        try:
            weights[name] = float(value)
        except ValueError:
            raise InvalidInput(f"{spec!r}: {value!r} is not a number") from None
        if not 0 <= weights[name] <= 100:
            raise InvalidInput(f"{spec!r}: a weight is 0 to 100")
    return weights


def parse_languages(codes: Iterable[str]) -> list[str]:
    """ "DE" → "de", "pt-br" → "pt-BR" (the language in lower case, a region in upper), sorted, once each;
    the database refuses what is not a language code."""
    found = set()
    for code in codes:
        language, dash, region = code.strip().partition("-")
        if language:
            found.add(language.lower() + (dash + region.upper() if dash else ""))
    unknown = [code for code in sorted(found) if not LANGUAGE_CODE.fullmatch(code)]
    if unknown:  # said here, with the code, not by the database after a preview that took it
        raise InvalidInput(f"{unknown[0]!r} is not a language code such as de or pt-BR")
    return sorted(found)


def split_list(text: str) -> list[str]:
    """ "billing:3, refunds:2" or "de en" → its parts."""
    return [part for part in text.replace(",", " ").split() if part]


SETTING_NAMES = ("weights", "overflow_cap", "urgent_weight", "skills", "skills_by_tag")


def check_settings(settings: object) -> None:
    """A queue's routing settings as `set_routing_config()` takes them, checked before anything uses them:
    a dry-run previewed weights the database would refuse (NaN, -5, an unknown factor), and a skill level
    of "x" was an internal error."""
    if not isinstance(settings, Mapping):
        raise InvalidInput("Routing settings are a JSON object")
    if unknown := sorted(set(settings) - set(SETTING_NAMES)):
        raise InvalidInput(
            f"Unknown routing settings {', '.join(map(repr, unknown))} (known: {', '.join(SETTING_NAMES)})"
        )
    weights = settings.get("weights", {})
    if not isinstance(weights, Mapping) or any(
        name not in WEIGHT_FACTORS or not _number(value, 0, 100) for name, value in weights.items()
    ):
        raise InvalidInput(f"Weights are {', '.join(WEIGHT_FACTORS)}, each a number from 0 to 100")
    if "overflow_cap" in settings and not _whole(settings["overflow_cap"], 0, 10):
        raise InvalidInput("overflow_cap is a whole number from 0 to 10")
    if "urgent_weight" in settings and not _whole(settings["urgent_weight"], 1, 10):
        raise InvalidInput("urgent_weight is a whole number from 1 to 10")
    by_tag = settings.get("skills_by_tag", {})
    skill_sets = [settings.get("skills", {}), *(by_tag.values() if isinstance(by_tag, Mapping) else [None])]
    if not all(isinstance(skills, Mapping) and all(_whole(v, 1, 5) for v in skills.values()) for skills in skill_sets):
        raise InvalidInput('skills are {"name": level} with levels 1 to 5; skills_by_tag gives a tag such skills')


def _number(value: Any, low: float, high: float) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and low <= value <= high
    )


def whole_numbers(value: Any) -> Any:
    """The settings with every number of no fraction written whole (2.0 as 2): `set_routing_config()` v3 takes
    whole numbers only as such, and a file may well say 2.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    return value


def _whole(value: Any, low: int, high: int) -> bool:
    """2 or 2.0 (sent as 2: `whole_numbers`), never true."""
    whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return whole and not isinstance(value, bool) and low <= value <= high
