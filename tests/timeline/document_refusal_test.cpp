// Invalid edits are refused with a reason and change nothing: no state change, no undo step.
#include <gtest/gtest.h>

#include "document_fixture.h"

using namespace lanterna::timeline;
using lanterna::timeline::testing::DocumentTest;

class DocumentRefusalTest : public DocumentTest {
 protected:
  void SetUp() override {
    DocumentTest::SetUp();
    a = insert(video, 0, 20, clip(1, FrameTime{10}, FrameTime{40}));
    b = insert(video, 30, 10, clip(2, FrameTime{20}));
    p = insert(prompt, 0, 10, PromptPayload{});
    before = doc.snapshot();
    stepsBefore = doc.undoStack().index();
  }
  void TearDown() override {
    EXPECT_EQ(doc.snapshot(), before);
    EXPECT_EQ(doc.undoStack().index(), stepsBefore);
    DocumentTest::TearDown();
  }

  ItemId a = 0, b = 0, p = 0;
  DocumentSnapshot before;
  int stepsBefore = 0;
};

TEST_F(DocumentRefusalTest, Overlap) {
  expectRefused(doc.requestInsertItem(video, FrameTime{15}, FrameTime{5}, clip(3)), "overlaps");
  expectRefused(doc.requestMove(b, video, FrameTime{10}), "overlaps");
  expectRefused(doc.requestTrim(b, Edge::Start, FrameTime{19}), "overlaps");
}

TEST_F(DocumentRefusalTest, NonPositiveDuration) {
  expectRefused(doc.requestInsertItem(video, FrameTime{100}, FrameTime{0}, clip(3)), "positive");
  expectRefused(doc.requestInsertItem(video, FrameTime{100}, FrameTime{-4}, clip(3)), "positive");
  expectRefused(doc.requestTrim(a, Edge::End, FrameTime{0}), "empty");
  expectRefused(doc.requestTrim(a, Edge::Start, FrameTime{20}), "empty");
}

TEST_F(DocumentRefusalTest, TrimPastTheMedia) {
  // a shows source frames 10..30 of 40.
  expectRefused(doc.requestTrim(a, Edge::End, FrameTime{31}), "past the end of the media");
}

TEST_F(DocumentRefusalTest, TrimBeforeTheMedia) {
  ASSERT_TRUE(doc.requestMove(a, video, FrameTime{200}));
  expectRefused(doc.requestTrim(a, Edge::Start, FrameTime{189}), "before the start of the media");
  doc.undoStack().undo();
}

TEST_F(DocumentRefusalTest, WrongTrackKind) {
  expectRefused(doc.requestInsertItem(audio, FrameTime{0}, FrameTime{5}, clip(3)), "cannot go on");
  expectRefused(doc.requestMove(a, audio, FrameTime{0}), "cannot move");
  expectRefused(doc.requestMove(p, video2, FrameTime{0}), "cannot move");
  expectRefused(doc.requestChangeGenerationSettings(a, GenerationSettings{}), "not a prompt item");
  expectRefused(doc.requestAddTake(p, Take{1, 2, FrameTime{}}), "not a video item");
}

TEST_F(DocumentRefusalTest, SplitOutsideTheItem) {
  expectRefused(doc.requestSplit(a, FrameTime{0}), "not inside");
  expectRefused(doc.requestSplit(a, FrameTime{20}), "not inside");
  expectRefused(doc.requestSplit(a, FrameTime{25}), "not inside");
}

TEST_F(DocumentRefusalTest, MissingThings) {
  expectRefused(doc.requestDeleteItem(999), "does not exist");
  expectRefused(doc.requestRemoveTrack(999), "does not exist");
  expectRefused(doc.requestInsertItem(999, FrameTime{0}, FrameTime{5}, clip(3)), "does not exist");
  expectRefused(doc.requestInsertItem(video, FrameTime{100}, FrameTime{5}, clip(0)), "no asset");
  expectRefused(doc.requestChooseTake(a, 0), "no take");
  expectRefused(doc.requestAddTake(a, Take{1, 0, FrameTime{}}), "no asset");
}

TEST_F(DocumentRefusalTest, BadFadesAndCrossfades) {
  expectRefused(doc.requestSetFades(a, FrameTime{15}, FrameTime{10}), "fades longer");
  expectRefused(doc.requestSetFades(a, FrameTime{-1}, FrameTime{0}), "negative");
  expectRefused(doc.requestSetCrossfade(b, FrameTime{5}), "no item ending");
  expectRefused(doc.requestInsertItem(video, FrameTime{-5}, FrameTime{5}, clip(3)), "before frame 0");
}

TEST_F(DocumentRefusalTest, FrameRateChangeWithItems) {
  expectRefused(doc.requestChangeProjectSettings(ProjectSettings{"x", FrameRate{30, 1}, 640, 360}), "frame rate");
  expectRefused(doc.requestChangeProjectSettings(ProjectSettings{"x", FrameRate{24, 1}, 0, 360}), "size");
}

TEST_F(DocumentRefusalTest, TakeTooShort) {
  // Give a a take first (an undoable step), then refuse one that cannot cover it.
  ASSERT_TRUE(doc.requestAddTake(a, Take{5, 6, FrameTime{40}}));
  ASSERT_TRUE(doc.requestAddTake(a, Take{7, 8, FrameTime{12}}, Activate::No));
  expectRefused(doc.requestChooseTake(a, 1), "shorter");
  expectRefused(doc.requestAddTake(a, Take{9, 10, FrameTime{12}}, Activate::Yes), "past the end");
  doc.undoStack().undo();
  doc.undoStack().undo();
}
