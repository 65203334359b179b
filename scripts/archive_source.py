"""Archive a source text into the data package with personal data removed.

Writes `datapackage/sources/<id>.txt` in Unicode NFC with e-mail addresses, phone numbers and
the given person names replaced by markers, and prints the file's sha256 for `sources.csv`.
A person's name is removed together with its surname standing alone, so "Staffan Bjurulf"
and a later bare "Bjurulf" both go. Run once per source; evidence quotes are then checked
against the archived text by `clusterdata validate` (check `source-archive`).

Example:
    python scripts/archive_source.py ../shared/seeds/001_30e215e0d4ae510b.txt \
        --id goda-exempel-fran-varmland --name "Staffan Bjurulf"
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import unicodedata
from pathlib import Path

from clusterdata.core.atomic import write_bytes_atomic

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?:\+46[\s-]?|(?<![\d-])0)\d{1,3}[\s-]\d{2,3}(?:[\s-]?\d{2}){2}(?!\d)|(?<!\d)07\d{8}(?!\d)"
)
EMAIL_MARK, PHONE_MARK, NAME_MARK = "[e-post borttagen]", "[telefon borttaget]", "[namn borttaget]"
PACKAGE = Path(__file__).resolve().parents[1] / "datapackage"


def redact(text: str, names: list[str]) -> str:
    """NFC text with e-mails, phone numbers and the named persons replaced by markers."""
    text = unicodedata.normalize("NFC", text)
    text = EMAIL.sub(EMAIL_MARK, text)
    text = PHONE.sub(PHONE_MARK, text)
    forms = sorted({n for name in names for n in (name, name.split()[-1])}, key=len, reverse=True)
    for form in forms:
        text = re.sub(rf"(?<!\w){re.escape(form)}s?(?!\w)", NAME_MARK, text)  # with genitive -s
    return text if text.endswith("\n") else text + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text", type=Path, help="the source text (UTF-8)")
    parser.add_argument("--id", required=True, help="the source's id in sources.csv")
    parser.add_argument("--name", action="append", default=[], help="a person's name to remove")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.id):
        parser.error(f"--id {args.id!r} is not a sources.id slug")
    data = redact(args.text.read_text(encoding="utf-8"), args.name).encode("utf-8")
    target = PACKAGE / "sources" / f"{args.id}.txt"
    target.parent.mkdir(exist_ok=True)
    write_bytes_atomic(target, data)
    print(f"sources/{args.id}.txt {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
