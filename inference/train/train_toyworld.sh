#!/usr/bin/env bash
# Trains the bundled "toyworld" model from scratch and exports it as a diffusers folder:
#   inference/train/train_toyworld.sh [--device cpu|cuda] [--train PATH/lanterna-train] OUT_DIR
# OUT_DIR/vae and OUT_DIR/unet hold the runs (checkpoints; a rerun resumes them), OUT_DIR/model the export; copy
# that to resources/models/toyworld. Step counts: about an hour on 2 CPU cores; on a GPU the batches are larger.
# Override with VAE_STEPS, VAE_BATCH, UNET_STEPS, UNET_BATCH, SEED.
set -euo pipefail

device=cpu
train="${LANTERNA_TRAIN:-build/inference/train/lanterna-train}"
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --train) train="$2"; shift 2 ;;
    -h|--help) sed -n 2,6p "$0"; exit 0 ;;
    *) out="$1"; shift ;;
  esac
done
[[ -n "$out" ]] || { echo "usage: $0 [--device cpu|cuda] [--train BIN] OUT_DIR" >&2; exit 2; }
[[ -x "$train" ]] || { echo "$0: no lanterna-train at $train (build it, or pass --train)" >&2; exit 2; }

if [[ "$device" == cuda ]]; then
  vae_steps="${VAE_STEPS:-6000}"; vae_batch="${VAE_BATCH:-32}"
  unet_steps="${UNET_STEPS:-30000}"; unet_batch="${UNET_BATCH:-128}"
else
  vae_steps="${VAE_STEPS:-1000}"; vae_batch="${VAE_BATCH:-4}"
  unet_steps="${UNET_STEPS:-2500}"; unet_batch="${UNET_BATCH:-12}"
fi
seed="${SEED:-1}"

# Resume a stage when its folder already has a checkpoint.
run_stage() {
  local dir="$1"; shift
  local resume=()
  [[ -f "$dir/latest.json" ]] && resume=(--resume)
  "$train" --out "$dir" --device "$device" --seed "$seed" "${resume[@]}" "$@"
}

run_stage "$out/vae" --stage vae --steps "$vae_steps" --batch "$vae_batch" --lr 1e-3 --checkpoint-every 500 \
  --log-every 50
run_stage "$out/unet" --stage unet --vae "$out/vae" --steps "$unet_steps" --batch "$unet_batch" --lr 5e-4 \
  --checkpoint-every 1000 --log-every 100
"$train" --stage export --vae "$out/vae" --unet "$out/unet" --out "$out/model"
du -sh "$out/model"
