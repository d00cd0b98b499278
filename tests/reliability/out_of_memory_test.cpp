// Out of memory through the real generation queue: LANTERNA_INJECT_OOM makes the engine throw what a CUDA
// out-of-memory throws (c10::OutOfMemoryError) during a denoising step, the VAE decode or the model load; the job
// must fail with a message and a suggestion, the resident model must be released, and the next job must run.
// The CUDA test provokes a real one and skips with the reason where there is no CUDA device.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "../common/tiny_model.h"
#include "lanterna/app/generation_queue.h"
#include "temp_dir.h"

namespace lanterna::testing {
namespace {

constexpr int kTimeoutMs = 120000;

inference::GenerationRequest smallRequest() {
  inference::GenerationRequest request;
  request.prompt = "a red circle";
  request.width = request.height = 16;
  request.steps = 4;
  request.seed = 3;
  return request;
}

// Runs one job to its end; `fault` is the LANTERNA_INJECT_OOM value while it runs (set only while the worker is
// idle, so no thread reads the environment while it changes).
app::GenerationJobStatus runJob(app::GenerationQueue& queue, const std::filesystem::path& model,
                                const char* fault = nullptr, inference::GenerationRequest request = smallRequest()) {
  if (fault) setenv("LANTERNA_INJECT_OOM", fault, 1);
  const qint64 id = queue.enqueue({"oom test", QString::fromStdString(model.string()), request});
  const bool idle = queue.waitForIdle(kTimeoutMs);
  unsetenv("LANTERNA_INJECT_OOM");
  EXPECT_TRUE(idle) << "the queue did not finish";
  return queue.status(id);
}

void expectOutOfMemoryFailure(const app::GenerationJobStatus& status, const std::string& during) {
  EXPECT_EQ(status.state, app::JobState::Failed);
  EXPECT_EQ(status.errorKind, ErrorKind::OutOfMemory) << status.errorMessage.toStdString();
  const std::string message = status.errorMessage.toStdString();
  EXPECT_NE(message.find("Out of memory while " + during), std::string::npos) << message;
  EXPECT_NE(message.find("lower the size or the number of frames"), std::string::npos) << message;
  EXPECT_TRUE(status.suggestion.contains("Lower the size or the number of frames")) << status.suggestion.toStdString();
}

// A step or the VAE decode runs out: the model that was resident is dropped and loaded again for the next job.
TEST(OutOfMemory, DuringStepOrDecodeFailsWithSuggestionModelIsReleasedNextJobRuns) {
  TempDir dir;
  const auto model = dir / "tiny-sd";
  ASSERT_TRUE(writeTinySdModel(model).ok());
  app::GenerationQueue queue;
  ASSERT_EQ(runJob(queue, model).state, app::JobState::Succeeded);
  ASSERT_EQ(runJob(queue, model).state, app::JobState::Succeeded);
  ASSERT_EQ(queue.modelLoads(), 1) << "a second job should reuse the resident model";
  int loads = 1;
  for (const char* point : {"step:2", "vae-decode", "step:1,step:4"}) {
    SCOPED_TRACE(point);
    expectOutOfMemoryFailure(runJob(queue, model, point), "generating");
    const auto next = runJob(queue, model);
    EXPECT_EQ(next.state, app::JobState::Succeeded) << next.errorMessage.toStdString();
    EXPECT_EQ(queue.modelLoads(), ++loads) << "the model was not released after the out-of-memory";
    EXPECT_EQ(queue.results(next.id).size(), 1u);
  }
}

TEST(OutOfMemory, DuringModelLoadFailsWithSuggestionAndNextJobLoads) {
  TempDir dir;
  const auto model = dir / "tiny-sd";
  ASSERT_TRUE(writeTinySdModel(model).ok());
  app::GenerationQueue queue;
  expectOutOfMemoryFailure(runJob(queue, model, "load"), "loading the model");
  EXPECT_EQ(queue.modelLoads(), 0);
  const auto next = runJob(queue, model);
  EXPECT_EQ(next.state, app::JobState::Succeeded) << next.errorMessage.toStdString();
  EXPECT_EQ(queue.modelLoads(), 1);
}

// Points that are not listed, and a step past the last one, change nothing.
TEST(OutOfMemory, UnlistedPointsDoNotFire) {
  TempDir dir;
  const auto model = dir / "tiny-sd";
  ASSERT_TRUE(writeTinySdModel(model).ok());
  app::GenerationQueue queue;
  EXPECT_EQ(runJob(queue, model, "step:9,vae-decoder,loading").state, app::JobState::Succeeded);
  EXPECT_EQ(queue.modelLoads(), 1);
}

// A real CUDA out-of-memory: a size no GPU holds at once fails with the suggestion, the next small job runs.
TEST(OutOfMemory, RealCudaOutOfMemoryIsCaught) {
  TempDir dir;
  const auto model = dir / "tiny-sd";
  ASSERT_TRUE(writeTinySdModel(model).ok());
  inference::EngineOptions options;
  options.device = inference::Device::Cuda;
  if (auto probe = inference::Engine::open(model, options); !probe)
    GTEST_SKIP() << "no CUDA device here: " << probe.error().message;
  app::GenerationQueue queue(options);
  ASSERT_EQ(runJob(queue, model).state, app::JobState::Succeeded);
  inference::GenerationRequest huge = smallRequest();
  huge.width = huge.height = 16384;
  huge.steps = 1;
  const auto failed = runJob(queue, model, nullptr, huge);
  if (failed.state != app::JobState::Succeeded) {  // a GPU with room for it passes trivially
    EXPECT_EQ(failed.errorKind, ErrorKind::OutOfMemory) << failed.errorMessage.toStdString();
    EXPECT_TRUE(failed.suggestion.contains("Lower the size")) << failed.suggestion.toStdString();
  }
  expectOutOfMemoryFailure(runJob(queue, model, "step:1"), "generating");  // the injected one, on the GPU
  EXPECT_EQ(runJob(queue, model).state, app::JobState::Succeeded);
}

}  // namespace
}  // namespace lanterna::testing
