// Drags merge into one undo step, macros group edits, snapshots rebuild documents, signals follow changes.
#include <gtest/gtest.h>

#include "document_fixture.h"

using namespace lanterna::timeline;
using lanterna::timeline::testing::DocumentTest;

TEST_F(DocumentTest, DragIsOneUndoStep) {
  const ItemId a = insert(video, 0, 10, clip(1));
  const auto before = doc.snapshot();
  const int steps = doc.undoStack().count();
  for (int x = 1; x <= 20; ++x) ASSERT_TRUE(doc.requestMove(a, video, FrameTime{x * 3}, Commit::No));
  ASSERT_TRUE(doc.requestMove(a, video2, FrameTime{70}, Commit::Yes));
  EXPECT_EQ(doc.undoStack().count(), steps + 1);
  EXPECT_EQ(doc.item(a)->track, video2);
  expectRoundTrip(before);

  // The drag was committed: the next drag is a step of its own.
  const auto afterFirst = doc.snapshot();
  ASSERT_TRUE(doc.requestMove(a, video2, FrameTime{80}, Commit::No));
  ASSERT_TRUE(doc.requestMove(a, video2, FrameTime{90}, Commit::Yes));
  EXPECT_EQ(doc.undoStack().count(), steps + 2);
  expectRoundTrip(afterFirst);
}

TEST_F(DocumentTest, DragOverARefusedPositionStillMergesTheRest) {
  const ItemId a = insert(video, 0, 10, clip(1));
  insert(video, 20, 10, clip(2));
  const auto before = doc.snapshot();
  const int steps = doc.undoStack().count();
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{5}, Commit::No));
  EXPECT_FALSE(doc.requestMove(a, video, FrameTime{15}, Commit::No));  // would overlap: stays at 5
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{40}, Commit::Yes));
  EXPECT_EQ(doc.undoStack().count(), steps + 1);
  expectRoundTrip(before);
}

TEST_F(DocumentTest, TrimDragMergesAndDragsOfOtherItemsDoNot) {
  const ItemId a = insert(video, 0, 10, clip(1));
  const ItemId b = insert(video, 50, 10, clip(2));
  const auto before = doc.snapshot();
  const int steps = doc.undoStack().count();
  for (int end = 11; end < 30; ++end) ASSERT_TRUE(doc.requestTrim(a, Edge::End, FrameTime{end}, Commit::No));
  ASSERT_TRUE(doc.requestTrim(a, Edge::End, FrameTime{30}, Commit::Yes));
  EXPECT_EQ(doc.undoStack().count(), steps + 1);
  expectRoundTrip(before);
  ASSERT_TRUE(doc.requestMove(b, video, FrameTime{60}, Commit::No));
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{100}, Commit::No));  // another item: a new step
  EXPECT_EQ(doc.undoStack().count(), steps + 3);
}

TEST_F(DocumentTest, DragBackToTheStartLeavesNoStep) {
  const ItemId a = insert(video, 0, 10, clip(1));
  const int steps = doc.undoStack().count();
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{30}, Commit::No));
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{0}, Commit::Yes));
  EXPECT_EQ(doc.undoStack().count(), steps);
}

TEST_F(DocumentTest, MacroIsOneStepEvenOnEarlyExit) {
  const auto before = doc.snapshot();
  const int steps = doc.undoStack().count();
  auto compound = [&] {
    EditMacro macro(doc, "Generate into timeline");
    const ItemId v = insert(video, 0, 16, clip(1, FrameTime{0}, FrameTime{16}));
    if (!doc.requestAddTake(v, Take{4, 5, FrameTime{16}})) return false;
    if (!doc.requestInsertItem(video, FrameTime{8}, FrameTime{4}, clip(2))) return false;  // overlaps: early exit
    return true;
  };
  EXPECT_FALSE(compound());
  EXPECT_EQ(doc.undoStack().count(), steps + 1);
  EXPECT_EQ(doc.snapshot().items.size(), 1u);
  expectRoundTrip(before);
}

TEST_F(DocumentTest, SnapshotRebuildsTheDocument) {
  const ItemId a = insert(video, 0, 10, clip(1));
  insert(prompt, 0, 10, PromptPayload{});
  ASSERT_TRUE(doc.requestSplit(a, FrameTime{4}));
  auto copy = Document::fromSnapshot(doc.snapshot());
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ((*copy)->snapshot(), doc.snapshot());
  EXPECT_TRUE((*copy)->checkConsistency());
  EXPECT_EQ((*copy)->undoStack().count(), 0);
  // New ids keep counting from where the saved document stopped.
  const auto inserted = (*copy)->requestInsertItem(video2, FrameTime{0}, FrameTime{5}, clip(3));
  EXPECT_EQ(inserted.createdId, doc.snapshot().nextId);
}

TEST_F(DocumentTest, InconsistentSnapshotIsRefused) {
  insert(video, 0, 10, clip(1));
  DocumentSnapshot broken = doc.snapshot();
  Item overlapping = broken.items.front();
  overlapping.id = broken.nextId++;
  overlapping.start = FrameTime{5};
  broken.items.push_back(overlapping);
  auto rebuilt = Document::fromSnapshot(broken);
  ASSERT_FALSE(rebuilt);
  EXPECT_NE(rebuilt.error().message.find("overlaps"), std::string::npos) << rebuilt.error().message;
  EXPECT_NE(consistencyProblem(broken), "");

  broken = doc.snapshot();
  broken.items.front().track = 999;
  EXPECT_NE(consistencyProblem(broken).find("missing track"), std::string::npos);
  broken = doc.snapshot();
  broken.items.front().track = audio;
  EXPECT_NE(consistencyProblem(broken).find("on a audio track"), std::string::npos);
}

TEST_F(DocumentTest, SignalsFollowEditsUndoAndRedo) {
  std::vector<qint64> added, removed, changedItem;
  int tracks = 0, any = 0;
  QObject::connect(&doc, &Document::itemAdded, [&](qint64 id) { added.push_back(id); });
  QObject::connect(&doc, &Document::itemRemoved, [&](qint64 id) { removed.push_back(id); });
  QObject::connect(&doc, &Document::itemChanged, [&](qint64 id) { changedItem.push_back(id); });
  QObject::connect(&doc, &Document::tracksChanged, [&] { ++tracks; });
  QObject::connect(&doc, &Document::changed, [&] { ++any; });
  const ItemId a = insert(video, 0, 10, clip(1));
  ASSERT_EQ(added, std::vector<qint64>{a});
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{20}));
  EXPECT_EQ(changedItem, std::vector<qint64>{a});
  doc.undoStack().undo();
  doc.undoStack().undo();
  EXPECT_EQ(removed, std::vector<qint64>{a});
  ASSERT_TRUE(doc.requestAddTrack(TrackKind::Video, "V3"));
  EXPECT_EQ(tracks, 1);
  EXPECT_EQ(any, 5);
}
