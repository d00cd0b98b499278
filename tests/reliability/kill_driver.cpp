// lanterna-kill-driver PROJECT SCRATCH SEED [OPS]: edits a project the way the studio does — document saves, media
// imports, generation history writes — and prints one line per step *after* the store reported it saved, so a
// harness that SIGKILLs it at a random moment knows what must survive:
//   saved <n>          the document named "edit-<n>" was saved
//   imported <id>      asset <id> is in the project
//   running <id>       generation <id> was recorded as running (must come back done or interrupted)
//   done <id> <asset>  generation <id> finished with output asset <asset>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "lanterna/app/project_store.h"

namespace fs = std::filesystem;
using namespace lanterna;

namespace {

[[noreturn]] void fail(const std::string& message) {
  std::printf("error %s\n", message.c_str());
  std::fflush(stdout);
  std::exit(1);
}

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

int editNumber(const std::string& name) { return name.rfind("edit-", 0) == 0 ? std::atoi(name.c_str() + 5) : 0; }

void saveEdit(app::ProjectStore& store, std::mt19937& rng) {
  auto snapshot = store.load();
  if (!snapshot) fail(snapshot.error().message);
  const int next = editNumber(snapshot->settings.name) + 1;
  snapshot->settings.name = "edit-" + std::to_string(next);
  if (snapshot->tracks.size() < 12 && rng() % 2 == 0) {
    timeline::Track track;
    track.id = snapshot->nextId++;
    track.kind = timeline::TrackKind::Video;
    track.name = "track " + std::to_string(next);
    snapshot->tracks.push_back(track);
  } else if (!snapshot->tracks.empty()) {
    snapshot->tracks.erase(snapshot->tracks.begin());
    snapshot->items.clear();
  }
  if (auto saved = store.save(*snapshot); !saved) fail(saved.error().message);
  say("saved " + std::to_string(next));
}

fs::path writeSource(const fs::path& scratch, std::mt19937& rng) {
  const fs::path file = scratch / ("source_" + std::to_string(getpid()) + "_" + std::to_string(rng()) + ".png");
  std::string bytes(4 * 1024 + rng() % (60 * 1024), '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  std::ofstream(file, std::ios::binary) << bytes;
  return file;
}

app::AssetId importOne(app::ProjectStore& store, const fs::path& scratch, std::mt19937& rng) {
  const fs::path source = writeSource(scratch, rng);
  auto asset = store.importMedia(source, app::AssetKind::Image);
  fs::remove(source);
  if (!asset) fail(asset.error().message);
  return asset->id;
}

void generateOne(app::ProjectStore& store, const fs::path& scratch, std::mt19937& rng) {
  app::GenerationRecord record;
  record.request.prompt = "kill test " + std::to_string(rng());
  record.request.model = "tiny";
  auto id = store.addGeneration(record);
  if (!id) fail(id.error().message);
  if (auto running = store.setGenerationStatus(*id, app::GenerationStatus::Running); !running)
    fail(running.error().message);
  say("running " + std::to_string(*id));
  const app::AssetId output = importOne(store, scratch, rng);
  if (auto outputs = store.setGenerationOutputs(*id, {output}); !outputs) fail(outputs.error().message);
  if (auto done = store.setGenerationStatus(*id, app::GenerationStatus::Done); !done) fail(done.error().message);
  say("done " + std::to_string(*id) + " " + std::to_string(output));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: lanterna-kill-driver PROJECT SCRATCH SEED [OPS]\n");
    return 2;
  }
  const fs::path project = argv[1], scratch = argv[2];
  std::mt19937 rng(static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)));
  const int ops = argc > 4 ? std::atoi(argv[4]) : 100;
  auto store = app::ProjectStore::open(project);
  if (!store) fail(store.error().message);
  say("ready");
  for (int op = 0; op < ops; ++op) {
    switch (rng() % 3) {
      case 0: saveEdit(*store, rng); break;
      case 1: say("imported " + std::to_string(importOne(*store, scratch, rng))); break;
      default: generateOne(*store, scratch, rng); break;
    }
  }
  say("finished");
  return 0;
}
