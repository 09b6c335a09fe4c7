"""The README's quality table, written from the model cards: the overview tab's table, so the front
page and the app say the same thing.

    python -m tools.readme            # rewrite the table in README.md
    python -m tools.readme --check    # exit 1 if README.md's table is not what the cards say
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- quality: python -m tools.readme -->", "<!-- /quality -->"


def quality_table() -> str:
    import gen_core
    from demos import overview, tab_modules
    from demos.lab import Models

    tabs = [(tab.TITLE, tab.TAB_ID, tab.MODELS) for tab in tab_modules()]
    return overview.table(overview.rows(Models.load(gen_core.available()), tabs))


def render(text: str, table: str) -> str:
    """`text` with the part between the markers replaced by `table`."""
    if START not in text or END not in text:
        raise ValueError(f"README.md has no {START} … {END} section")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.readme", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the table is stale")
    args = parser.parse_args(argv)
    text = README.read_text()
    new = render(text, quality_table())
    if args.check:
        if new != text:
            print("README.md's quality table is not what the model cards say: run python -m tools.readme",
                  file=sys.stderr)
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
