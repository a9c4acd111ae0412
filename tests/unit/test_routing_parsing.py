"""Routing facts as people type them in the CLI and the settings table, checked as the database checks them:
a preview ran with "klingon" and "billing=5" (a skill named so), which Save then refused without saying
whose or which."""

from __future__ import annotations

import pytest

from app.services.errors import InvalidInput
from app.services.routing.parsing import parse_languages, parse_skills


def test_skills_and_languages_as_typed() -> None:
    assert parse_skills(["billing:3", "VPN", "network.core:2"]) == {"billing": 3, "vpn": 1, "network.core": 2}
    assert parse_languages(["DE", "pt-br", "en", "de"]) == ["de", "en", "pt-BR"]


@pytest.mark.parametrize(("specs", "said"), [(["billing=5"], "a skill's name is"), (["billing:9"], "level of 1 to 5")])
def test_a_skill_the_database_would_refuse_is_refused_here(specs: list[str], said: str) -> None:
    with pytest.raises(InvalidInput, match=said):
        parse_skills(specs)


@pytest.mark.parametrize("code", ["klingon", "x", "de_DE", "12"])
def test_a_language_code_the_database_would_refuse_is_named(code: str) -> None:
    with pytest.raises(InvalidInput, match="is not a language code such as de or pt-BR"):
        parse_languages(["en", code])
