"""Regenerate the expected JSON of every golden extraction case, for review before commit.

    .venv/bin/python tests/tools/regen_golden.py          # rewrite the JSON files
    .venv/bin/python tests/tools/regen_golden.py --check  # only list the cases that differ

Cases marked ``render`` get their seed-format text export (``<page>.txt``) written too.
Review the diff (``git diff tests/data/golden``): every change is a change in what the parser
extracts from a page that did not change.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from golden import CASES, dump, expected_path, extract, rendered, text_path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 on a change")
    args = parser.parse_args()
    changed = 0
    for case in CASES:
        outputs = [(expected_path(case), dump(extract(case)))]
        if case.get("render") == "yes":
            outputs.append((text_path(case), rendered(case)))
        for path, text in outputs:
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if old == text:
                continue
            changed += 1
            print(f"{'differs' if args.check else 'wrote'}: {path.relative_to(Path.cwd())}")
            if not args.check:
                path.write_text(text, encoding="utf-8")
    print(f"{len(CASES)} case(s), {changed} changed")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
