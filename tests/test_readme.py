"""The README is a front page: short, the two commands first, the quality table what the cards say,
and every link it gives leads somewhere."""
import re
from pathlib import Path

import pytest

from tools import readme

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "README.md").read_text()


def test_it_is_a_front_page_with_the_two_commands_first():
    body = TEXT.split("\n---\n", 1)[1]   # after the Space's front matter
    assert len(body.splitlines()) <= 150
    launch, tests, tabs = (body.index(s) for s in ("<!-- launch -->", "pip install -r requirements-train.txt", "## The tabs"))
    assert launch < tests < tabs


def test_the_generated_sections_are_what_the_records_tabs_and_cards_say():
    """The Space's models list (from the family records), the tab table (from the tabs) and the quality
    table (from the cards)."""
    assert readme.render_all(TEXT) == TEXT, "stale: run python -m tools.readme"


@pytest.mark.parametrize("markers", list(readme.SECTIONS))
def test_a_stale_section_is_caught(markers, tmp_path, monkeypatch, capsys):
    stale = readme.render(TEXT, markers, "  - gen-core-lab/nothing" if markers == readme.MODELS else "| model |\n|---|\n| x |")
    monkeypatch.setattr(readme, "README", tmp_path / "README.md")
    (tmp_path / "README.md").write_text(stale)
    assert readme.main(["--check"]) == 1 and "run python -m tools.readme" in capsys.readouterr().err


def test_every_local_link_and_picture_exists():
    targets = re.findall(r"\]\(([^)#]+)\)", TEXT)
    assert targets
    for target in targets:
        if not target.startswith("http"):
            assert (ROOT / target).is_file(), target


def test_the_spaces_front_matter_links_every_registered_models_repo():
    import yaml

    from gen_core.hub import REGISTRY

    front = yaml.safe_load(TEXT.split("---\n", 2)[1])
    assert sorted(front["models"]) == sorted(entry.repo_id for entry in REGISTRY.values())
