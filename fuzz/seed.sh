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

# Small policies using `personal` after a field type and `matching "RE"
# "NAME" when FIELD == VALUE` (docs/language.md section 3), besides the
# shipped policy's: edge cases of both (a field named `personal`, a format
# without a name or condition, `personal` on an optional nested object and a
# list), and a rule reading such fields.
python3 - "$here/corpus" <<'PY'
import sys, pathlib, hashlib
out = pathlib.Path(sys.argv[1])
seeds = [
"""policy p {
  title "text formats"
  version "1"
}

enum kind { monthly, annual }

collection reports {
  id: string
  kind: kind
  personal: bool
  owner: string personal
  tags: [string]? personal
  detail: { note: string? personal, extra: object? }? personal
  label: string
    matching "[0-9]{4}(-[0-9]{2})?" "YYYY or YYYY-MM"
    matching "[0-9]{4}-(0[1-9]|1[0-2])" "YYYY-MM" when kind == monthly
    matching "[0-9]{4}" when kind == annual
  code: string? personal matching "[A-Z]{2}[0-9]+"
}

rule CD901 label-present {
  severity warning
  clause "§9.9" "labels are written"
  for r in reports
  when r.kind == monthly and r.personal
  require r.label is present and r.code is present
  message "report {r.id} ({r.owner}) has label {r.label} and code {r.code}"
}
""",
"""collection c {
  id: string, e: enum { a, b }, s: string? personal matching "x+" "xs" when e == a, personal: string personal
}
""",
]
for text in seeds:
    b = text.encode()
    for t in ("policy", "fmt_roundtrip"):
        (out / t / hashlib.sha1(b).hexdigest()).write_bytes(b)
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

# Long lines (the targets pad some files with 70,000 spaces so that columns
# pass 65,535) and many input errors in one file: export_json pads both of
# its files when (first byte / 18) is odd, e.g. a leading space; export_dir
# pads a collection file of form 4 (`<c>.json`) or 5 (`<c>.ndjson`).
python3 - "$root" "$here/corpus" <<'PY'
import sys, json, pathlib, hashlib, re
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def put(target, b):
    (out / target / hashlib.sha1(b).hexdigest()).write_bytes(b)
colls = re.findall(r"^collection (\w+)", (root / "policies/customer-development.policy").read_text(), re.M)
n = len(colls)
fixtures = sorted(root.glob("fixtures/**/export.json"))[::12]
for f in fixtures:
    put("export_json", b" " + f.read_bytes())
for f in fixtures:
    doc = json.loads(f.read_text())
    if not isinstance(doc, dict):
        continue
    meta = json.dumps({"export": doc.get("export", {})}).encode()
    parts = [meta]
    for name, recs in doc.items():
        if name in colls and len(parts) < 3:
            form = 4 + len(parts) - 1
            body = json.dumps(recs) if form == 4 else "\n".join(json.dumps(r) for r in recs)
            parts.append(bytes([colls.index(name) + form * n]) + body.encode())
    put("export_dir", b"\n@@\n".join(parts))
# Many bad lines in one file, and a truncated document.
put("export_json", b"".join(b'{"id": "c%d", "name": }\n' % i for i in range(300)))
put("export_json", b' {"export": {"as_of": "2025-06-30T12:00:00+08:00"}, "customers": [{"id": "C1", "name": "\xe5\xbc\xa0')
put("export_dir", b'{"export":{"as_of":"2025-06-30T12:00:00+08:00"}}\n@@\n' + bytes([colls.index("customers") + 5 * n]) + b"".join(b'{"id": "C%d", "name": tru}\n' % i for i in range(200)))
PY

# JSON conformance suite: for both export targets.
if [ -d "$suite" ]; then
  cp "$suite"/*.json "$here/corpus/export_json/"
fi
for t in policy fmt_roundtrip export_json export_dir; do
  echo "$t: $(ls "$here/corpus/$t" | wc -l) seeds"
done
