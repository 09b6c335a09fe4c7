"""python -m gen_core.train FAMILY --out DIR [options] (gen_core/train/cli.py)."""
from gen_core.train.cli import main

if __name__ == "__main__":
    main()
