// Every edit: undo and redo give back the exact snapshots; the edit does what it says.
#include <gtest/gtest.h>

#include "document_fixture.h"

using namespace lanterna::timeline;
using lanterna::timeline::testing::DocumentTest;

TEST_F(DocumentTest, InsertItem) {
  const auto before = doc.snapshot();
  const ItemId id = insert(video, 10, 48, clip(7));
  ASSERT_NE(doc.item(id), nullptr);
  EXPECT_EQ(doc.item(id)->start, FrameTime{10});
  EXPECT_EQ(doc.duration(), FrameTime{58});
  expectRoundTrip(before);
}

TEST_F(DocumentTest, AddAndRemoveTrack) {
  auto before = doc.snapshot();
  const TrackId added = doc.requestAddTrack(TrackKind::Audio, "A0", 0).createdId;
  EXPECT_EQ(doc.tracks().front().id, added);
  expectRoundTrip(before);

  insert(video, 0, 10, clip(1));
  insert(video, 10, 10, clip(2));
  before = doc.snapshot();
  ASSERT_TRUE(doc.requestRemoveTrack(video));
  EXPECT_EQ(doc.track(video), nullptr);
  EXPECT_TRUE(doc.snapshot().items.empty());
  expectRoundTrip(before);
}

TEST_F(DocumentTest, DeleteAndRippleDelete) {
  const ItemId a = insert(video, 0, 10, clip(1));
  const ItemId b = insert(video, 10, 20, clip(2));
  const ItemId c = insert(video, 40, 5, clip(3));
  const ItemId other = insert(video2, 40, 5, clip(4));
  auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestDeleteItem(b));
  EXPECT_EQ(doc.item(b), nullptr);
  EXPECT_EQ(doc.item(c)->start, FrameTime{40});
  expectRoundTrip(before);
  doc.undoStack().undo();

  ASSERT_TRUE(doc.requestDeleteItem(b, Ripple::Yes));
  EXPECT_EQ(doc.item(c)->start, FrameTime{20});
  EXPECT_EQ(doc.item(a)->start, FrameTime{0});
  EXPECT_EQ(doc.item(other)->start, FrameTime{40});  // other tracks do not ripple
  expectRoundTrip(before);
}

TEST_F(DocumentTest, MoveWithinAndAcrossTracks) {
  const ItemId a = insert(video, 0, 10, clip(1));
  const auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{100}));
  EXPECT_EQ(doc.item(a)->start, FrameTime{100});
  expectRoundTrip(before);
  const auto moved = doc.snapshot();
  ASSERT_TRUE(doc.requestMove(a, video2, FrameTime{5}));
  EXPECT_EQ(doc.item(a)->track, video2);
  expectRoundTrip(moved);
}

TEST_F(DocumentTest, TrimBothEdgesMovesTheInPoint) {
  const ItemId a = insert(video, 10, 40, clip(1, FrameTime{20}, FrameTime{100}));
  auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestTrim(a, Edge::Start, FrameTime{0}));
  EXPECT_EQ(doc.item(a)->start, FrameTime{0});
  EXPECT_EQ(doc.item(a)->duration, FrameTime{50});
  EXPECT_EQ(std::get<VideoPayload>(doc.item(a)->payload).inPoint, FrameTime{10});
  expectRoundTrip(before);
  before = doc.snapshot();
  ASSERT_TRUE(doc.requestTrim(a, Edge::End, FrameTime{90}));
  EXPECT_EQ(doc.item(a)->duration, FrameTime{90});  // in-point 10 + 90 = the whole 100 frames of media
  expectRoundTrip(before);
}

TEST_F(DocumentTest, SplitKeepsTheMediaContinuous) {
  const ItemId a = insert(video, 10, 40, clip(1, FrameTime{5}, FrameTime{100}));
  ASSERT_TRUE(doc.requestSetFades(a, FrameTime{4}, FrameTime{6}));
  const auto before = doc.snapshot();
  const auto split = doc.requestSplit(a, FrameTime{30});
  ASSERT_TRUE(split) << split.reason;
  const Item& left = *doc.item(a);
  const Item& right = *doc.item(split.createdId);
  EXPECT_EQ(left.duration, FrameTime{20});
  EXPECT_EQ(right.start, FrameTime{30});
  EXPECT_EQ(right.duration, FrameTime{20});
  EXPECT_EQ(std::get<VideoPayload>(right.payload).inPoint, FrameTime{25});
  EXPECT_EQ(left.fadeIn, FrameTime{4});
  EXPECT_EQ(left.fadeOut, FrameTime{0});
  EXPECT_EQ(right.fadeIn, FrameTime{0});
  EXPECT_EQ(right.fadeOut, FrameTime{6});
  expectRoundTrip(before);
}

TEST_F(DocumentTest, ChangeGenerationSettings) {
  const ItemId p = insert(prompt, 0, 48, PromptPayload{});
  GenerationSettings settings;
  settings.prompt = "a lantern on a misty lake";
  settings.seed = 1234;
  settings.seedLocked = true;
  settings.referenceImages = {3, 4};
  const auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestChangeGenerationSettings(p, settings));
  EXPECT_EQ(std::get<PromptPayload>(doc.item(p)->payload).settings, settings);
  expectRoundTrip(before);
}

TEST_F(DocumentTest, AddAndChooseTakes) {
  const ItemId v = insert(video, 0, 16, clip(1, FrameTime{0}, FrameTime{16}));
  auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestAddTake(v, Take{11, 21, FrameTime{16}}));
  ASSERT_TRUE(doc.requestAddTake(v, Take{12, 22, FrameTime{24}}, Activate::No));
  auto payload = std::get<VideoPayload>(doc.item(v)->payload);
  EXPECT_EQ(payload.takes.size(), 2u);
  EXPECT_EQ(payload.activeTake, 0);
  EXPECT_EQ(payload.asset, 21);
  doc.undoStack().undo();
  expectRoundTrip(before);
  doc.undoStack().redo();

  before = doc.snapshot();
  ASSERT_TRUE(doc.requestChooseTake(v, 1));
  payload = std::get<VideoPayload>(doc.item(v)->payload);
  EXPECT_EQ(payload.activeTake, 1);
  EXPECT_EQ(payload.asset, 22);
  EXPECT_EQ(payload.sourceDuration, FrameTime{24});
  expectRoundTrip(before);
}

TEST_F(DocumentTest, FadesAndCrossfades) {
  const ItemId a = insert(audio, 0, 20, AudioPayload{5, FrameTime{0}, FrameTime{0}});
  const ItemId b = insert(audio, 20, 20, AudioPayload{6, FrameTime{0}, FrameTime{0}});
  auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestSetFades(a, FrameTime{5}, FrameTime{3}));
  expectRoundTrip(before);
  before = doc.snapshot();
  ASSERT_TRUE(doc.requestSetCrossfade(b, FrameTime{8}));
  EXPECT_EQ(doc.item(b)->crossfadeIn, FrameTime{8});
  expectRoundTrip(before);

  // Moving the partner away breaks the adjacency, so the crossfade goes; undo brings it back.
  before = doc.snapshot();
  ASSERT_TRUE(doc.requestMove(a, audio, FrameTime{100}));
  EXPECT_EQ(doc.item(b)->crossfadeIn, FrameTime{0});
  expectRoundTrip(before);
  doc.undoStack().undo();
  EXPECT_EQ(doc.item(b)->crossfadeIn, FrameTime{8});
}

TEST_F(DocumentTest, ChangeProjectSettings) {
  const auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestChangeProjectSettings(ProjectSettings{"Renamed", FrameRate{30000, 1001}, 1920, 1080}));
  EXPECT_EQ(doc.settings().name, "Renamed");
  expectRoundTrip(before);
}

TEST_F(DocumentTest, ReferenceImageItems) {
  const auto before = doc.snapshot();
  insert(image, 0, 24, ReferenceImagePayload{9});
  expectRoundTrip(before);
}
