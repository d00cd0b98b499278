#!/usr/bin/env bash
# Trains the bundled "toyworld" model from scratch and exports it as a diffusers folder:
#   inference/train/train_toyworld.sh [--device cpu|cuda] [--train PATH/lanterna-train] OUT_DIR
# OUT_DIR/vae, OUT_DIR/decoder, OUT_DIR/text, OUT_DIR/unet and OUT_DIR/motion hold the runs (checkpoints; a rerun
# resumes them), OUT_DIR/model the export (image model + motion adapter); copy that to resources/models/toyworld.
# The unet stage renders and encodes UNET_CACHE scenes and one frame of each of UNET_CLIPS clips once
# (OUT_DIR/unet/latent_cache.safetensors) and trains on those latents: the clip frames, captioned with their clip's
# caption ("... at the top left moving right"), teach the image model where a moving shape may stand, which the
# motion stage then orders in time.
# The text stage (captions only, ~3 minutes) teaches the text encoder what each word describes; the unet stage keeps
# that encoder frozen. The decoder stage then sharpens the VAE's decoder alone (its latents stay the same): small
# shapes keep their corners.
# Override with VAE_STEPS, DECODER_STEPS, VAE_BATCH, TEXT_STEPS, UNET_STEPS, UNET_BATCH, UNET_LR, UNET_CACHE,
# UNET_CLIPS, SINGLE_SHAPE_STEPS, MOTION_STEPS, MOTION_BATCH, SEED; VAE=DIR reuses a trained vae (a run or a diffusers
# vae folder, e.g. resources/models/toyworld/vae) instead of training one; INIT_FROM=MODEL_DIR starts the unet stage
# from a model.
set -euo pipefail

device=cpu
train="${LANTERNA_TRAIN:-build/inference/train/lanterna-train}"
out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    --train) train="$2"; shift 2 ;;
    -h|--help) sed -n 2,16p "$0"; exit 0 ;;
    *) out="$1"; shift ;;
  esac
done
[[ -n "$out" ]] || { echo "usage: $0 [--device cpu|cuda] [--train BIN] OUT_DIR" >&2; exit 2; }
[[ -x "$train" ]] || { echo "$0: no lanterna-train at $train (build it, or pass --train)" >&2; exit 2; }

if [[ "$device" == cuda ]]; then
  vae_steps="${VAE_STEPS:-6000}"; vae_batch="${VAE_BATCH:-32}"; decoder_steps="${DECODER_STEPS:-8000}"
  unet_steps="${UNET_STEPS:-30000}"; unet_batch="${UNET_BATCH:-128}"; unet_cache="${UNET_CACHE:-100000}"
  unet_clips="${UNET_CLIPS:-30000}"
  single_shape="${SINGLE_SHAPE_STEPS:-3000}"
  motion_steps="${MOTION_STEPS:-6000}"; motion_batch="${MOTION_BATCH:-16}"
else
  vae_steps="${VAE_STEPS:-3000}"; vae_batch="${VAE_BATCH:-16}"; decoder_steps="${DECODER_STEPS:-4000}"
  unet_steps="${UNET_STEPS:-3000}"; unet_batch="${UNET_BATCH:-32}"; unet_cache="${UNET_CACHE:-12288}"
  unet_clips="${UNET_CLIPS:-4096}"
  single_shape="${SINGLE_SHAPE_STEPS:-400}"
  motion_steps="${MOTION_STEPS:-200}"; motion_batch="${MOTION_BATCH:-2}"
fi
unet_lr="${UNET_LR:-1e-3}"
text_steps="${TEXT_STEPS:-2000}"
# The UNet stage's ops are small (16x16 latents): on a CPU, two OpenMP threads spend most of their time spinning at
# barriers (0.2 it/s against 1.0 it/s with one thread, measured on the 2-core machine), so it runs on one thread
# unless OMP_NUM_THREADS says otherwise. The VAE stage's 64x64 convolutions do use two (3.3 against 1.7 it/s).
unet_threads="${OMP_NUM_THREADS:-1}"
seed="${SEED:-1}"

# Resume a stage when its folder already has a checkpoint.
run_stage() {
  local dir="$1"; shift
  local resume=()
  [[ -f "$dir/latest.json" ]] && resume=(--resume)
  # stage_threads, when set, is that stage's OMP_NUM_THREADS.
  env ${stage_threads:+OMP_NUM_THREADS="$stage_threads"} "$train" --out "$dir" --device "$device" --seed "$seed" \
    "${resume[@]}" "$@"
}

vae="${VAE:-$out/vae}"
if [[ -z "${VAE:-}" ]]; then
  run_stage "$out/vae" --stage vae --steps "$vae_steps" --batch "$vae_batch" --lr 1e-3 --warmup 50 --cosine \
    --checkpoint-every 250 --log-every 25
  # The encoder frozen, the decoder learns on: round trips of held-out scenes went from 74% to 86% detected as named.
  run_stage "$out/decoder" --stage vae --vae "$vae" --steps "$decoder_steps" --batch "$vae_batch" --lr 5e-4 \
    --warmup 50 --cosine --checkpoint-every 250 --log-every 100
  vae="$out/decoder"
fi
# Caption-only and small: one thread, whatever the device (the heads read 77 tokens of 64 features).
stage_threads="${OMP_NUM_THREADS:-1}" run_stage "$out/text" --stage text --steps "$text_steps" --batch 64 --lr 2e-3 \
  --warmup 100 --cosine --checkpoint-every 500 --log-every 100
init=()
[[ -n "${INIT_FROM:-}" ]] && init=(--init-from "$INIT_FROM")
[[ "$device" == cuda ]] && unet_threads=""
stage_threads="$unet_threads" run_stage "$out/unet" --stage unet --vae "$vae" --steps "$unet_steps" --batch "$unet_batch" --lr "$unet_lr" \
  --text-encoder "$out/text" --warmup 150 --cosine --min-snr 5 --cache-scenes "$unet_cache" --cache-clips "$unet_clips" --single-shape-steps "$single_shape" "${init[@]}" \
  --checkpoint-every 100 --log-every 10
"$train" --stage export --vae "$vae" --unet "$out/unet" --out "$out/model"
# The adapter learns image-to-video from a clean first frame (text-to-video then starts from the image model's
# keyframe), weighted to the moving pixels, on paired clips: every first frame is trained with two motions, so the
# caption, not the picture, decides where the shape goes. The UNet's cross-attention keys and values train beside it
# (on stills too): they let the image model's features carry the motion words, the only recipe whose direction probe
# rose (sessions 10-11, docs/models/toyworld.md); the export then ships that UNet.
run_stage "$out/motion" --stage motion --init-from "$out/model" --steps "$motion_steps" --batch "$motion_batch" \
  --lr 1e-3 --warmup 20 --cosine --checkpoint-every 50 --log-every 10 \
  --given-first-frame 1 --motion-weight 4 --paired-motions --unet-train cross-attention --unet-lr-scale 1
"$train" --stage export-motion --motion "$out/motion" --out "$out/model"
du -sh "$out/model"
