#!/usr/bin/env bash
# Builds the seed corpora under fuzz/corpus/<target>/ from the repository's
# policies, export fixtures and the JSON conformance suite. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
suite=${JSON_SUITE:-/work/shared/conformance/json-test-suite/test_parsing}
mkdir -p "$here"/corpus/{policy,fmt_roundtrip,export_json,export_dir}

# Policies: each whole file, and the shipped policy cut into its items, each
# item alone and after the schema part (header, params, enums, collections).
python3 - "$root" "$here/corpus" <<'PY'
import sys, re, pathlib, hashlib
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def put(target, text):
    b = text.encode()
    (out / target / hashlib.sha1(b).hexdigest()).write_bytes(b)
files = [p for d in ("policies", "tests") for p in (root / d).rglob("*.policy")] if (root / "tests").exists() else list((root / "policies").rglob("*.policy"))
for f in files:
    text = f.read_text()
    for t in ("policy", "fmt_roundtrip"):
        put(t, text)
    starts = [m.start() for m in re.finditer(r"^(?:#.*\n)*(?:policy|param|enum|collection|def|rule|integrity|clause)\b", text, re.M)]
    chunks = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    schema = "".join(c for c in chunks if re.match(r"(?:#.*\n)*(?:policy|param|enum|collection)\b", c))
    for c in chunks:
        put("fmt_roundtrip", c)
        put("policy", c)
        if re.match(r"(?:#.*\n)*(?:def|rule|integrity)\b", c):
            put("policy", schema + c)
PY

# Exports: every fixture export.json (export_json); for export_dir the same
# document split into root metadata + collection files joined by "\n@@\n".
for f in $(find "$root/fixtures" -name export.json); do
  cp "$f" "$here/corpus/export_json/$(sha1sum "$f" | cut -c1-40)"
done
python3 - "$root" "$here/corpus/export_dir" <<'PY'
import sys, json, pathlib, hashlib
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
# Collection order as the fuzz target indexes it (schema order of the shipped policy).
import re
colls = re.findall(r"^collection (\w+)", (root / "policies/customer-development.policy").read_text(), re.M)
for f in root.glob("fixtures/**/export.json"):
    doc = json.loads(f.read_text())
    if not isinstance(doc, dict):
        continue
    meta = json.dumps({"export": doc.get("export", {})}, ensure_ascii=False)
    parts = [meta.encode()]
    for name, recs in doc.items():
        if name == "export" or name not in colls or len(parts) >= 3:
            continue
        i = colls.index(name)
        form = len(parts) - 1  # 0: <c>.json, 1: <c>.ndjson
        body = json.dumps(recs, ensure_ascii=False) if form == 0 else "\n".join(json.dumps(r, ensure_ascii=False) for r in recs)
        parts.append(bytes([i + form * len(colls)]) + body.encode())
    b = b"\n@@\n".join(parts)
    (out / hashlib.sha1(b).hexdigest()).write_bytes(b)
PY

# JSON conformance suite: for both export targets.
if [ -d "$suite" ]; then
  cp "$suite"/*.json "$here/corpus/export_json/"
fi
for t in policy fmt_roundtrip export_json export_dir; do
  echo "$t: $(ls "$here/corpus/$t" | wc -l) seeds"
done
