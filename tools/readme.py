"""The README's generated parts: the Space's `models:` list (every registered model's Hub repo), the tab
table (each tab's title, models and SUMMARY) and the quality table (the overview tab's, from the model
cards), so the front page says what the records, the tabs and the cards say.

    python -m tools.readme            # rewrite them in README.md
    python -m tools.readme --check    # exit 1 if any of them is not what the code and cards say
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
QUALITY = ("<!-- quality: python -m tools.readme -->", "<!-- /quality -->")
TABS = ("<!-- tabs: python -m tools.readme -->", "<!-- /tabs -->")
MODELS = ("# models: python -m tools.readme", "# /models")


def quality_table() -> str:
    import gen_core
    from demos import overview, tab_modules
    from demos.lab import Models

    tabs = [(tab.TITLE, tab.TAB_ID, tab.MODELS) for tab in tab_modules()]
    return overview.table(overview.rows(Models.load(gen_core.available()), tabs))


def _model_names(names: tuple[str, ...]) -> str:
    """`flow-moons`, … as the table shows them: names that differ only by their 2-D density as one
    `flow-<density>` ×7."""
    from gen_core.data import toy2d

    groups: dict[str, int] = {}
    for name in names:
        pattern = re.sub("|".join(sorted(toy2d.NAMES, key=len, reverse=True)), "<density>", name)
        groups[pattern] = groups.get(pattern, 0) + 1
    return ", ".join(f"`{p}`" + (f" ×{k}" if k > 1 else "") for p, k in groups.items())


def tab_table() -> str:
    from demos import tab_modules

    lines = ["| tab | models | what you can do |", "|---|---|---|",
             "| **Overview** | all | every model's headline figure, the paper's figure on the same protocol, the data it saw |"]
    for tab in tab_modules():
        lines.append(f"| **{tab.TITLE}** | {_model_names(tab.MODELS)} | {tab.SUMMARY.replace('|', chr(92) + '|')} |")
    return "\n".join(lines)


def models_list() -> str:
    from gen_core.hub import REGISTRY

    return "\n".join(f"  - {entry.repo_id}" for entry in REGISTRY.values())


SECTIONS: dict[tuple[str, str], Callable[[], str]] = {MODELS: models_list, TABS: tab_table, QUALITY: quality_table}


def render(text: str, markers: tuple[str, str], body: str) -> str:
    """`text` with the part between the markers replaced by `body`."""
    start, end = markers
    if start not in text or end not in text:
        raise ValueError(f"README.md has no {start} … {end} section")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def render_all(text: str) -> str:
    for markers, make in SECTIONS.items():
        text = render(text, markers, make())
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.readme", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a section is stale")
    args = parser.parse_args(argv)
    text = README.read_text()
    new = render_all(text)
    if args.check:
        if new != text:
            print("README.md's generated sections are not what the code and cards say: run python -m tools.readme",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
