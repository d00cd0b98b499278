// Generation history: add, update, get, list (newest first, filtered); crashes leave `interrupted` behind.
#include "lanterna/app/project_store.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

using namespace lanterna;
using namespace lanterna::app;
using lanterna::testing::TempDir;

namespace {

GenerationRecord request(const std::string& prompt, std::int64_t createdMs) {
  GenerationRecord record;
  record.request.prompt = prompt;
  record.request.negativePrompt = "low quality";
  record.request.model = "tiny.safetensors";
  record.request.seed = 77;
  record.request.referenceImages = {3};
  record.request.fps = timeline::FrameRate{30000, 1001};
  record.modelSha256 = "abc123";
  record.createdMs = createdMs;
  return record;
}

class GenerationHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = ProjectStore::create(file, timeline::ProjectSettings{});
    ASSERT_TRUE(created) << created.error().message;
    store.emplace(std::move(*created));
  }

  TempDir dir;
  std::filesystem::path file = dir / "history.lanterna";
  std::optional<ProjectStore> store;
};

}  // namespace

TEST_F(GenerationHistoryTest, AddAndGetGiveBackTheFullRequest) {
  GenerationRecord record = request("a red lantern", 1000);
  auto id = store->addGeneration(record);
  ASSERT_TRUE(id) << id.error().message;
  record.id = *id;
  auto fetched = store->generation(*id);
  ASSERT_TRUE(fetched) << fetched.error().message;
  EXPECT_EQ(*fetched, record);

  GenerationRecord variation = request("a red lantern, windy", 2000);
  variation.parent = *id;
  auto child = store->addGeneration(variation);
  ASSERT_TRUE(child);
  EXPECT_EQ(store->generation(*child)->parent, *id);

  auto missing = store->generation(999);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("history.lanterna"), std::string::npos);
}

TEST_F(GenerationHistoryTest, StatusTimingsAndOutputs) {
  auto id = store->addGeneration(request("timed", 0));
  ASSERT_TRUE(id);
  EXPECT_GT(store->generation(*id)->createdMs, 0);  // 0 means now
  ASSERT_TRUE(store->setGenerationStatus(*id, GenerationStatus::Running));
  EXPECT_GT(store->generation(*id)->startedMs, 0);
  ASSERT_TRUE(store->setGenerationOutputs(*id, {11, 12}));
  ASSERT_TRUE(store->setGenerationStatus(*id, GenerationStatus::Failed, "out of memory at step 3"));
  auto record = store->generation(*id);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->status, GenerationStatus::Failed);
  EXPECT_EQ(record->errorMessage, "out of memory at step 3");
  EXPECT_GE(record->finishedMs, record->startedMs);
  EXPECT_EQ(record->durationMs, record->finishedMs - record->startedMs);
  EXPECT_EQ(record->outputs, (std::vector<AssetId>{11, 12}));

  record->status = GenerationStatus::Done;
  record->durationMs = 1234;
  ASSERT_TRUE(store->updateGeneration(*record));
  EXPECT_EQ(*store->generation(*id), *record);
  GenerationRecord ghost;
  ghost.id = 999;
  EXPECT_FALSE(store->updateGeneration(ghost));
}

TEST_F(GenerationHistoryTest, ListIsNewestFirstAndFilters) {
  std::vector<GenerationId> ids;
  for (auto [prompt, at] : std::vector<std::pair<std::string, int>>{
           {"Lantern at dusk", 10}, {"city 100% rain", 30}, {"forest_path", 20}}) {
    auto id = store->addGeneration(request(prompt, at));
    ASSERT_TRUE(id);
    ids.push_back(*id);
  }
  ASSERT_TRUE(store->setGenerationStatus(ids[0], GenerationStatus::Done));
  auto all = store->listGenerations();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, ids[1]);
  EXPECT_EQ((*all)[1].id, ids[2]);
  EXPECT_EQ((*all)[2].id, ids[0]);

  auto text = store->listGenerations(HistoryFilter{std::nullopt, "LANTERN", 0});
  ASSERT_TRUE(text);
  ASSERT_EQ(text->size(), 1u);
  EXPECT_EQ(text->front().id, ids[0]);
  // % and _ are plain characters, not patterns.
  EXPECT_EQ(store->listGenerations(HistoryFilter{std::nullopt, "100%", 0})->size(), 1u);
  EXPECT_EQ(store->listGenerations(HistoryFilter{std::nullopt, "lantern_at", 0})->size(), 0u);
  auto done = store->listGenerations(HistoryFilter{GenerationStatus::Done, "", 0});
  ASSERT_TRUE(done);
  ASSERT_EQ(done->size(), 1u);
  EXPECT_EQ(done->front().id, ids[0]);
  EXPECT_EQ(store->listGenerations(HistoryFilter{std::nullopt, "", 2})->size(), 2u);
}

TEST_F(GenerationHistoryTest, UnfinishedWorkBecomesInterruptedOnReopen) {
  auto queued = store->addGeneration(request("queued", 1));
  auto running = store->addGeneration(request("running", 2));
  auto done = store->addGeneration(request("done", 3));
  ASSERT_TRUE(queued && running && done);
  ASSERT_TRUE(store->setGenerationStatus(*running, GenerationStatus::Running));
  ASSERT_TRUE(store->setGenerationStatus(*done, GenerationStatus::Done));
  store.reset();  // the studio "crashes": nothing marks the work as stopped

  auto reopened = ProjectStore::open(file);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(reopened->generation(*queued)->status, GenerationStatus::Interrupted);
  EXPECT_EQ(reopened->generation(*running)->status, GenerationStatus::Interrupted);
  EXPECT_EQ(reopened->generation(*done)->status, GenerationStatus::Done);
  EXPECT_EQ(reopened->listGenerations(HistoryFilter{GenerationStatus::Interrupted, "", 0})->size(), 2u);
}

TEST(GenerationStatusNames, RoundTrip) {
  for (auto status : {GenerationStatus::Queued, GenerationStatus::Running, GenerationStatus::Done,
                      GenerationStatus::Failed, GenerationStatus::Cancelled, GenerationStatus::Interrupted})
    EXPECT_EQ(parseGenerationStatus(generationStatusName(status)), status);
  EXPECT_FALSE(parseGenerationStatus("finished"));
}
