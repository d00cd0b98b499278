#include "studio_automation.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>
#include <variant>

#include "lanterna/app/export_job.h"
#include "lanterna/app/generation_service.h"
#include "lanterna/app/model_library.h"
#include "lanterna/app/project_store.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"

namespace lanterna::studio {
namespace {

using timeline::FrameTime;

constexpr int kMaxGenerationsInFlight = 2;  // a kill should often find one running and one queued
constexpr int kPromptLength = 24;           // frames per inserted prompt item

void say(const QString& line) {
  std::printf("%s\n", line.toUtf8().constData());
  std::fflush(stdout);
}

struct Options {
  QString project;
  QStringList steps;  // "edits", "generate", "export"
  QString models;
  QString exportDir;
  unsigned seed = 1;
  int count = 200;
};

class Automation : public QObject {
 public:
  Automation(ui::MainWindow& window, Options options)
      : window_(window), options_(std::move(options)), rng_(options_.seed) {
    if (auto* service = window_.generationService()) {
      if (!options_.models.isEmpty()) service->setModelLibrary(app::ModelLibrary({options_.models}));
      connect(service, &app::GenerationService::clipFinished, this,
              [this](qint64 clip, app::JobState state, const QString&) { finished(clip, state); });
    }
  }

  void start() {
    prepareTracks();
    say("ready");
    QTimer::singleShot(0, this, [this] { next(); });
  }

 private:
  app::ProjectStore& store() { return *window_.projectStore(); }
  timeline::Document& document() { return *window_.document(); }

  // A prompt track and a video track under it, as a user makes them before the first prompt.
  void prepareTracks() {
    const auto snapshot = document().snapshot();
    for (const auto& track : snapshot.tracks)
      if (track.kind == timeline::TrackKind::Prompt && promptTrack_ == 0) promptTrack_ = track.id;
    // Prompts left by earlier runs can be generated again (a new take), and new ones go after them.
    for (const auto& item : snapshot.items)
      if (item.track == promptTrack_ && std::holds_alternative<timeline::PromptPayload>(item.payload)) {
        prompts_.push_back(item.id);
        nextStart_ = std::max(nextStart_, item.end().frames);
      }
    if (promptTrack_ == 0) {
      promptTrack_ = document().requestAddTrack(timeline::TrackKind::Prompt, "Prompts").createdId;
      document().requestAddTrack(timeline::TrackKind::Video, "Video");
    }
  }

  void next() {
    if (done_ >= options_.count) {
      if (inFlight_.isEmpty()) {
        say("finished");
        QApplication::exit(0);
      } else {
        QTimer::singleShot(20, this, [this] { next(); });  // let the running generations finish
      }
      return;
    }
    ++done_;
    const int roll = static_cast<int>(rng_() % 100);
    if (roll < 20 && options_.steps.contains("generate")) generate();
    else if (roll < 28 && options_.steps.contains("export")) exportSequence();
    else if (options_.steps.contains("edits")) edit();
    QTimer::singleShot(static_cast<int>(rng_() % 15), this, [this] { next(); });
  }

  void edit() {
    if (rng_() % 2 == 0) {
      auto settings = document().settings();
      const QString name = QString::fromStdString(settings.name);
      const int number = (name.startsWith("edit-") ? name.mid(5).toInt() : 0) + 1;
      settings.name = "edit-" + std::to_string(number);
      if (!document().requestChangeProjectSettings(settings)) return;
      auto saved = store().load();  // autosave ran on Document::changed; read back what the store holds
      if (saved && saved->settings.name == settings.name) say(QString("saved %1").arg(number));
      return;
    }
    timeline::GenerationSettings settings;
    settings.prompt = "automated prompt " + std::to_string(rng_() % 1000);
    settings.model = "tiny-sd";
    settings.width = settings.height = 16;
    settings.frames = 1;
    settings.steps = 2 + static_cast<int>(rng_() % 12);
    const FrameTime start{nextStart_};
    nextStart_ += kPromptLength;
    const auto inserted =
        document().requestInsertItem(promptTrack_, start, FrameTime{kPromptLength}, timeline::PromptPayload{settings});
    if (!inserted) return;
    auto saved = store().load();
    if (!saved) return;
    for (const auto& item : saved->items)
      if (item.id == inserted.createdId) {
        prompts_.push_back(inserted.createdId);
        say(QString("item %1").arg(inserted.createdId));
      }
  }

  // Selects a prompt and triggers Generate, as Ctrl+Enter does.
  void generate() {
    auto* service = window_.generationService();
    if (!service || prompts_.empty() || inFlight_.size() >= kMaxGenerationsInFlight) return;
    const timeline::ItemId prompt = prompts_[rng_() % prompts_.size()];
    if (const auto clip = service->clipUnder(prompt); clip != 0 && service->running(clip)) return;
    window_.timeline()->setSelectedItem(prompt);
    window_.generateSelected();
    const timeline::ItemId clip = service->clipUnder(prompt);
    const auto running = clip != 0 ? service->running(clip) : std::nullopt;
    if (!running) return;
    inFlight_[clip] = running->generation;
    say(QString("running %1").arg(running->generation));
  }

  void finished(qint64 clip, app::JobState state) {
    const qint64 generation = inFlight_.take(clip);
    if (generation == 0 || state != app::JobState::Succeeded) return;
    auto record = store().generation(generation);
    if (record && record->status == app::GenerationStatus::Done && record->outputs.size() == 1)
      say(QString("done %1 %2").arg(generation).arg(record->outputs.front()));
  }

  void exportSequence() {
    const QString folder = options_.exportDir.isEmpty() ? QFileInfo(options_.project).absolutePath()
                                                        : options_.exportDir;
    app::ExportRequest request;
    request.output = QDir(folder).filePath(QString("export-%1-%2.mp4").arg(options_.seed).arg(++exports_)).toStdString();
    request.format = assets::ExportFormat::Mp4H264;
    auto job = app::ExportJob::create(store(), request);
    if (!job) return;  // e.g. nothing generated yet: the sequence is empty
    if (job->run()) say(QString("exported %1").arg(QString::fromStdString(request.output.string())));
  }

  ui::MainWindow& window_;
  Options options_;
  std::mt19937 rng_;
  timeline::TrackId promptTrack_ = 0;
  std::vector<timeline::ItemId> prompts_;
  QHash<qint64, qint64> inFlight_;  // clip -> generation
  std::int64_t nextStart_ = 0;
  int done_ = 0;
  int exports_ = 0;
};

}  // namespace

bool automationRequested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--automate") == 0 || std::strncmp(argv[i], "--automate=", 11) == 0) return true;
  return false;
}

int runAutomation(QApplication& application) {
  QCommandLineParser parser;
  parser.setApplicationDescription("Lanterna studio, scripted (kill tests).");
  parser.addHelpOption();
  QCommandLineOption project("project", "The project to open.", "FILE");
  QCommandLineOption automate("automate", "Steps to run: edits,generate,export.", "STEPS");
  QCommandLineOption models("models", "Folder the prompts' model names are looked up in.", "DIR");
  QCommandLineOption exportDir("export-dir", "Folder exports are written to (default: the project's).", "DIR");
  QCommandLineOption seed("automate-seed", "Seed of the random choice of steps.", "N", "1");
  QCommandLineOption count("automate-count", "How many steps to run.", "N", "200");
  parser.addOptions({project, automate, models, exportDir, seed, count});
  parser.process(application);

  Options options;
  options.project = parser.value(project);
  options.steps = parser.value(automate).split(',', Qt::SkipEmptyParts);
  options.models = parser.value(models);
  options.exportDir = parser.value(exportDir);
  options.seed = parser.value(seed).toUInt();
  options.count = parser.value(count).toInt();
  if (options.project.isEmpty() || options.steps.isEmpty()) {
    std::fprintf(stderr, "lanterna: --automate needs --project FILE and a list of steps (edits,generate,export).\n");
    return 2;
  }
  // Checked first: the window would tell the user with a modal dialog, which nobody answers in a scripted run.
  if (auto store = app::ProjectStore::open(options.project.toStdString()); !store) {
    std::fprintf(stderr, "lanterna: %s\n", store.error().message.c_str());
    return 2;
  }
  ui::MainWindow window(ui::makeGenerationJobQueue());
  if (!window.openProjectFile(options.project)) return 2;
  window.show();
  Automation automation(window, options);
  automation.start();
  return QApplication::exec();
}

}  // namespace lanterna::studio
