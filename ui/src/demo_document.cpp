#include "lanterna/ui/demo_document.h"

namespace lanterna::ui {

using namespace lanterna::timeline;

namespace {

PromptPayload prompt(const char* text, std::int64_t seed) {
  PromptPayload payload;
  payload.settings.prompt = text;
  payload.settings.negativePrompt = "blurry, low quality, watermark";
  payload.settings.model = "toyworld-v1";
  payload.settings.steps = 24;
  payload.settings.cfg = 6.5;
  payload.settings.seed = seed;
  payload.settings.width = 768;
  payload.settings.height = 432;
  payload.settings.frames = 24;
  payload.settings.fps = FrameRate{8, 1};
  return payload;
}

}  // namespace

std::unique_ptr<Document> makeDemoDocument() {
  auto document = std::make_unique<Document>(ProjectSettings{"Lantern festival (demo)", FrameRate{24, 1}, 1280, 720});
  const TrackId prompts = document->requestAddTrack(TrackKind::Prompt, "Prompts").createdId;
  const TrackId video = document->requestAddTrack(TrackKind::Video, "Video").createdId;
  const TrackId audio = document->requestAddTrack(TrackKind::Audio, "Audio").createdId;
  document->requestInsertItem(prompts, FrameTime{0}, FrameTime{72},
                              prompt("paper lanterns rising over a river at dusk, cinematic, warm light", 1234));
  document->requestInsertItem(prompts, FrameTime{72}, FrameTime{60},
                              prompt("close-up of a lantern flame, shallow depth of field", 5678));
  document->requestInsertItem(prompts, FrameTime{132}, FrameTime{84},
                              prompt("wide shot of a night market, crowds, glowing stalls", 9012));
  // Asset ids stand in for media a real project would have imported; the clips have two takes each.
  auto clip = [](AssetId first, AssetId second) {
    VideoPayload payload;
    payload.takes = {Take{first, first, FrameTime{240}}, Take{second, second, FrameTime{240}}};
    payload.activeTake = 1;
    payload.asset = second;
    payload.sourceDuration = FrameTime{240};
    return payload;
  };
  document->requestInsertItem(video, FrameTime{0}, FrameTime{96}, clip(1, 2));
  document->requestInsertItem(video, FrameTime{96}, FrameTime{120}, clip(3, 4));
  document->requestInsertItem(audio, FrameTime{0}, FrameTime{216}, AudioPayload{5, FrameTime{0}, FrameTime{0}});
  // The demo is where editing starts, not something to undo.
  document->undoStack().clear();
  return document;
}

}  // namespace lanterna::ui
