"""The Chinese edition: translations keyed by cell id, their staleness, and the zh notebooks.

Every English text unit has a key: a chapter's markdown cell is keyed by its notebook cell id,
a section of a Markdown page (``intro.md`` ...) by the slug of its heading. A translation file
(``chapters/zh/<chapter>.yml``, ``zh/<page>.yml``) maps each key to the English text it was
made from (``en``), that text's hash (``sha``) and the Chinese (``zh``). A translation is

* missing when the file has no entry for a key (or an empty ``zh``),
* stale when the English text of the key no longer has the recorded hash.

Command line (run from the repository root; DOC is a chapter name such as ``ch03_3_transformer``,
or a page name such as ``intro``; without DOC every document)::

    python tools/translate.py status [DOC]    # per document: how many units are ok, stale, missing
    python tools/translate.py todo DOC        # each stale/missing unit: English, its diff, Chinese
    python tools/translate.py stub DOC        # add empty entries for missing units, to fill in
    python tools/translate.py fill DOC FILE   # FILE maps key -> Chinese, stored with today's text
    python tools/translate.py accept DOC KEY  # Chinese revised by hand: record today's English
    python tools/translate.py sub DOC OLD NEW # a renamed identifier: replace it in the stale units
    python tools/translate.py generate        # write chapters/zh/*.ipynb and zh/*.md
    python tools/translate.py check           # exit 1 on any missing, stale or broken translation
"""

import difflib
import pathlib
import sys

import yaml
from translations import (
    ROOT,
    documents,
    english_units,
    generated_files,
    load,
    problems,
    save,
    source_hash,
    staleness,
)

# ---- command line ----


def _todo(document, root=ROOT):
    entries, lines = load(document, root), []
    units = dict(english_units(document, root))
    for key, kind in staleness(document, root):
        lines.append(f"=== {document} {key}: {kind}")
        entry = entries.get(key) or {}
        if kind == "stale" and entry.get("en"):
            diff = difflib.unified_diff(
                entry["en"].splitlines(),
                units[key].splitlines(),
                "English translated",
                "English now",
                lineterm="",
            )
            lines += [
                "--- what changed in the English:",
                *diff,
                "--- the Chinese now:",
                entry.get("zh", ""),
            ]
        elif kind != "orphan":
            lines += ["--- English:", units[key]]
    return lines


def main(argv):
    command, *args = argv or ["status"]
    docs = args[:1] if args else documents()
    unknown = [doc for doc in docs if doc not in documents()] if command != "accept" else []
    if unknown:
        sys.exit(f"unknown document {unknown}; one of: {', '.join(documents())}")
    if command == "status":
        for doc in docs:
            kinds = [kind for _, kind in staleness(doc)]
            total = len(english_units(doc))
            counts = ", ".join(
                f"{kinds.count(k)} {k}" for k in ("stale", "missing", "orphan") if k in kinds
            )
            current = total - kinds.count("stale") - kinds.count("missing")
            print(f"{doc:24} {current:3}/{total} ok  {counts}")
    elif command == "todo":
        print("\n".join(line for doc in docs for line in _todo(doc)))
    elif command == "stub":
        for doc in docs:
            entries = load(doc)
            for key, text in english_units(doc):
                entries.setdefault(key, {"sha": source_hash(text), "en": text, "zh": ""})
            save(doc, entries)
    elif command == "sub":
        doc, old, new = args
        entries, units = load(doc), dict(english_units(doc))
        for key in [k for k, kind in staleness(doc) if kind == "stale"]:
            if old in entries[key]["zh"]:
                entries[key]["zh"] = entries[key]["zh"].replace(old, new)
                print(f"{doc} {key}: replaced; `accept {doc} {key}` once it reads right")
        save(doc, entries)
    elif command == "accept":
        doc, keys = args[0], set(args[1:])
        entries, units = load(doc), dict(english_units(doc))
        for key in keys or [k for k, kind in staleness(doc) if kind == "stale"]:
            entries[key] = {
                "sha": source_hash(units[key]),
                "en": units[key],
                "zh": entries[key]["zh"],
            }
        for key in [k for k, kind in staleness(doc) if kind == "orphan"]:
            entries.pop(key)
        save(doc, entries)
    elif command == "fill":
        doc, new = args[0], yaml.load(pathlib.Path(args[1]).read_text(), Loader=yaml.BaseLoader)
        entries, units = load(doc), dict(english_units(doc))
        unknown_keys = sorted(set(map(str, new)) - set(units))
        if unknown_keys:
            sys.exit(f"{doc} has no units {unknown_keys}")
        for key, chinese in new.items():
            key = str(key)
            entries[key] = {"sha": source_hash(units[key]), "en": units[key], "zh": chinese}
        save(doc, entries)
        print("\n".join(problems(doc)) or f"{doc}: every translation well-formed")
    elif command == "generate":
        for path, text in generated_files().items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text() != text:
                path.write_text(text)
                print(f"wrote {path.relative_to(ROOT)}")
    elif command == "check":
        found = [problem for doc in docs for problem in problems(doc)]
        print("\n".join(found) or "every translation is present, current and well-formed")
        sys.exit(1 if found else 0)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
