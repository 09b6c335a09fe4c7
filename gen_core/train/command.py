"""The training command a model card records, as a reader can run it in a fresh clone: folders given as
absolute paths of the machine it was trained on become the repository's own (the exported weights under
weights/, checkpoints under checkpoints/, a first stage's weights under runs/, data under data/)."""
from __future__ import annotations

import shlex
from pathlib import Path, PurePosixPath

PREFIX = "python -m gen_core.train "
# flag -> the repo-relative folder an absolute path outside the repository becomes (its last part kept)
PATH_FLAGS = {"--out": "weights", "--checkpoint-dir": "checkpoints", "--init-from": "runs", "--data-dir": "data"}


def portable(argv: list[str], name: str, root: Path) -> str:
    """`python -m gen_core.train ...` for `argv` (the trainer's arguments), every path flag relative: inside
    `root` (the repository) as it is there, outside it `<folder>/<last part>`, and --out as
    weights/<name> (the name the card is shipped under)."""
    words, i = [], 0
    while i < len(argv):
        word = argv[i]
        flag, _, inline = word.partition("=")
        if flag in PATH_FLAGS and (inline or i + 1 < len(argv)):
            value = inline or argv[i + 1]
            words += [flag, _relative(flag, value, name, root)]
            i += 1 if inline else 2
            continue
        words.append(word)
        i += 1
    return PREFIX + " ".join(shlex.quote(w) for w in words)


def _relative(flag: str, value: str, name: str, root: Path) -> str:
    path = Path(value)
    if not path.is_absolute():
        return value
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(PurePosixPath(PATH_FLAGS[flag], name if flag == "--out" else path.name))
