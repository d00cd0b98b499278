// Clip speed and conform mode: the source mapping, the retiming edit, its refusals and its undo.
#include <gtest/gtest.h>

#include "document_fixture.h"
#include "lanterna/timeline/clip_speed.h"

using namespace lanterna::timeline;
using lanterna::timeline::testing::DocumentTest;

TEST(ClipSpeedTest, SourcePositionIsInPointPlusOffsetTimesSpeed) {
  VideoPayload video;
  video.inPoint = FrameTime{4};
  video.speed = Rational{1, 3};
  const SourcePosition at = sourcePositionAt(video, FrameTime{3});  // (4 + 3) / 3 = 2 + 1/3
  EXPECT_EQ(at.frames, 2);
  EXPECT_EQ(at.fractionNum, 1);
  EXPECT_EQ(at.fractionDen, 3);
  video.speed = Rational{2, 1};
  EXPECT_EQ(sourcePositionAt(video, FrameTime{3}).frames, 14);
  EXPECT_EQ(sourcePositionAt(video, FrameTime{3}).fractionNum, 0);
}

TEST(ClipSpeedTest, RetimedLengthAndParsing) {
  EXPECT_EQ(retimedLength(FrameTime{48}, Rational{1, 2}), FrameTime{96});
  EXPECT_EQ(retimedLength(FrameTime{48}, Rational{3, 1}), FrameTime{16});
  EXPECT_EQ(retimedLength(FrameTime{0}, Rational{1, 2}), FrameTime{0});  // unknown stays unknown
  EXPECT_EQ(parseSpeed("50%"), (Rational{1, 2}));
  EXPECT_EQ(parseSpeed("2x"), (Rational{2, 1}));
  EXPECT_EQ(parseSpeed("1/3"), (Rational{1, 3}));
  EXPECT_EQ(parseSpeed("0.25"), (Rational{1, 4}));
  EXPECT_FALSE(parseSpeed("fast"));
  EXPECT_FALSE(parseSpeed("-50%"));
  EXPECT_FALSE(parseSpeed("0"));
  EXPECT_EQ(speedText(Rational{1, 2}), "50%");
  EXPECT_EQ(speedProblem(Rational{1, 2}), "");
  EXPECT_NE(speedProblem(Rational{1, 100}), "");
  EXPECT_EQ(parseConformMode(conformModeName(ConformMode::Interpolate)), ConformMode::Interpolate);
}

TEST_F(DocumentTest, HalfSpeedDoublesTheDurationAndUndoRestoresIt) {
  const ItemId a = insert(video, 0, 48, clip(1, FrameTime{0}, FrameTime{48}));
  const auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestSetSpeed(a, Rational{1, 2}));
  EXPECT_EQ(doc.item(a)->duration, FrameTime{96});
  EXPECT_EQ(std::get<VideoPayload>(doc.item(a)->payload).speed, (Rational{1, 2}));
  expectRoundTrip(before);
}

TEST_F(DocumentTest, SpeedKeepsTheFirstSourceFrame) {
  const ItemId a = insert(video, 0, 20, clip(1, FrameTime{12}, FrameTime{48}));
  ASSERT_TRUE(doc.requestSetSpeed(a, Rational{2, 1}));
  const auto& payload = std::get<VideoPayload>(doc.item(a)->payload);
  EXPECT_EQ(payload.inPoint, FrameTime{6});  // 6 x 2 = source frame 12, as before
  EXPECT_EQ(doc.item(a)->duration, FrameTime{10});
  EXPECT_EQ(sourcePositionAt(payload, FrameTime{0}).frames, 12);
}

TEST_F(DocumentTest, DoubleSpeedIsCappedByTheMedia) {
  const ItemId a = insert(video, 0, 40, clip(1, FrameTime{0}, FrameTime{48}));
  ASSERT_TRUE(doc.requestSetSpeed(a, Rational{4, 1}));
  EXPECT_EQ(doc.item(a)->duration, FrameTime{10});  // 40 / 4, within the 12 frames 48 source frames fill
  ASSERT_TRUE(doc.requestSetSpeed(a, Rational{1, 1}));
  EXPECT_EQ(doc.item(a)->duration, FrameTime{40});
}

TEST_F(DocumentTest, SpeedRefusals) {
  const ItemId a = insert(video, 0, 48, clip(1, FrameTime{0}, FrameTime{48}));
  insert(video, 60, 10, clip(2));
  const ItemId p = insert(prompt, 0, 10, PromptPayload{});
  const auto before = doc.snapshot();
  const int steps = doc.undoStack().count();
  expectRefused(doc.requestSetSpeed(a, Rational{1, 2}), "overlaps");  // 96 frames run into the clip at 60
  expectRefused(doc.requestSetSpeed(a, Rational{0, 1}), "positive");
  expectRefused(doc.requestSetSpeed(a, Rational{1, 100}), "between");
  expectRefused(doc.requestSetSpeed(p, Rational{2, 1}), "not a video clip");
  expectRefused(doc.requestSetSpeed(999, Rational{2, 1}), "does not exist");
  expectRefused(doc.requestSetConform(p, ConformMode::Interpolate), "not a video clip");
  EXPECT_EQ(doc.snapshot(), before);
  EXPECT_EQ(doc.undoStack().count(), steps);
}

TEST_F(DocumentTest, ConformModeIsAnUndoableEdit) {
  const ItemId a = insert(video, 0, 48, clip(1));
  const auto before = doc.snapshot();
  ASSERT_TRUE(doc.requestSetConform(a, ConformMode::Interpolate));
  EXPECT_EQ(std::get<VideoPayload>(doc.item(a)->payload).conform, ConformMode::Interpolate);
  EXPECT_EQ(doc.undoStack().undoText(), "Conform by optical flow");
  expectRoundTrip(before);
}

TEST_F(DocumentTest, TrimAndSplitCountRetimedFrames) {
  const ItemId a = insert(video, 0, 48, clip(1, FrameTime{0}, FrameTime{48}));
  ASSERT_TRUE(doc.requestSetSpeed(a, Rational{1, 2}));  // 96 frames long now
  // The media fills 96 retimed frames: trimming the end further is refused.
  expectRefused(doc.requestTrim(a, Edge::End, FrameTime{97}), "past the end");
  const ItemId right = doc.requestSplit(a, FrameTime{30}).createdId;
  ASSERT_NE(right, 0);
  const auto& payload = std::get<VideoPayload>(doc.item(right)->payload);
  EXPECT_EQ(payload.inPoint, FrameTime{30});
  EXPECT_EQ(payload.speed, (Rational{1, 2}));
  EXPECT_EQ(sourcePositionAt(payload, FrameTime{0}).frames, 15);
}
