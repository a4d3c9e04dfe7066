"""The rules configuration file: defaults from DOMAIN.md, clear errors on mistakes."""

import pytest

from checks.config import load


def test_defaults_follow_the_national_rules():
    config = load()
    assert config.tolerances.total_points == 100
    assert config.scoring.reverse_formula == "A/B" and config.scoring.achieved_tier == 0.8
    assert config.level1_points["national_project"] == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    ningxia = next(v for v in config.variants if v.name == "宁夏")
    assert ningxia.level1_points["national_project"]["产出指标"] == 40 and "中卫" in ningxia.match


@pytest.mark.parametrize("text, message", [
    ("[tolerances]\npoints = 0.1\npoint = 1\n", "point"),
    ("[scoring]\nreverse_formula = \"B/A\"\n", "reverse_formula must be one of"),
    ("[tolerance]\npoints = 0.1\n", "unknown section"),
    ("[tolerances\n", "rules.toml"),
])
def test_mistakes_in_the_file_are_reported_with_its_path(tmp_path, text, message):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load(path)
