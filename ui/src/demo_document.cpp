#include "lanterna/ui/demo_document.h"

namespace lanterna::ui {

using namespace lanterna::timeline;

namespace {

PromptPayload prompt(const char* text, std::int64_t seed) {
  PromptPayload payload;
  payload.settings.prompt = text;
  // The bundled toyworld model: its vocabulary, its native 128x128 size, settings it was trained for.
  payload.settings.model = "toyworld";
  // Its clips follow their motion words best with euler_a (27/40 held-out clips against euler's 21/40, model card).
  payload.settings.sampler = "euler_a";
  payload.settings.steps = 20;
  payload.settings.cfg = 2.0;  // its model_index.json recommendation (docs/models/toyworld.md)
  payload.settings.seed = seed;
  payload.settings.width = 128;
  payload.settings.height = 128;
  payload.settings.frames = 24;
  payload.settings.fps = FrameRate{8, 1};
  return payload;
}

}  // namespace

std::unique_ptr<Document> makeDemoDocument() {
  auto document = std::make_unique<Document>(ProjectSettings{"Toy world (demo)", FrameRate{24, 1}, 1280, 720});
  const TrackId prompts = document->requestAddTrack(TrackKind::Prompt, "Prompts").createdId;
  const TrackId video = document->requestAddTrack(TrackKind::Video, "Video").createdId;
  const TrackId audio = document->requestAddTrack(TrackKind::Audio, "Audio").createdId;
  document->requestInsertItem(prompts, FrameTime{0}, FrameTime{72},
                              prompt("a big red circle at the top left on a black background", 1234));
  document->requestInsertItem(prompts, FrameTime{72}, FrameTime{60},
                              prompt("on white, a small blue square at the bottom right", 5678));
  document->requestInsertItem(prompts, FrameTime{132}, FrameTime{84},
                              prompt("a yellow triangle in the center on a purple background", 9012));
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
