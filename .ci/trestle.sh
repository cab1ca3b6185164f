#!/usr/bin/env bash
# Validates `assay report oscal` for a workspace with NIST's compliance-trestle, in a trestle
# workspace where each document sits in its model folder and the catalog and profile the SSP
# imports are at the root (trestle resolves relative hrefs from there).
# Usage: .ci/trestle.sh ASSAY WORKSPACE OUT_DIR
set -euo pipefail
assay="$1" ws="$2" out="$3"
if ! command -v trestle >/dev/null; then
  if [ "${ASSAY_REQUIRE_ALL:-}" = 1 ]; then
    echo "ASSAY_REQUIRE_ALL=1 and trestle is missing: pip install compliance-trestle" >&2
    exit 1
  fi
  echo "skipped: trestle is not installed (pip install compliance-trestle)"
  exit 0
fi
"$assay" -C "$ws" report oscal --out "$out" >/dev/null
cd "$out"
trestle init >/dev/null
# validate FILE NAME: trestle's verdict on FILE, or its report and a failure.
validate() {
  trestle validate -f "$1" | grep -q "^VALID" \
    || { trestle validate -f "$1"; echo "trestle rejected $2"; exit 1; }
  echo "trestle: $2 valid"
}
for pair in catalogs:catalog profiles:profile component-definitions:component-definition \
            system-security-plans:system-security-plan assessment-results:assessment-results \
            plan-of-action-and-milestones:plan-of-action-and-milestones; do
  dir="${pair%%:*}" model="${pair#*:}"
  mkdir -p "$dir/assay"
  cp "$model.json" "$dir/assay/$model.json"
  validate "$dir/assay/$model.json" "$model.json"
done
# The documents of each framework beside SOC 2 the workspace reports on (catalog-iso27001.json, ...).
for file in catalog-*.json profile-*.json assessment-results-*.json; do
  [ -e "$file" ] || continue
  case "$file" in
    catalog-*) dir=catalogs model=catalog ;;
    profile-*) dir=profiles model=profile ;;
    *) dir=assessment-results model=assessment-results ;;
  esac
  # trestle takes the model from the file name, so each sits in its own folder as MODEL.json.
  name="${file%.json}"
  mkdir -p "$dir/$name"
  cp "$file" "$dir/$name/$model.json"
  validate "$dir/$name/$model.json" "$file"
done
