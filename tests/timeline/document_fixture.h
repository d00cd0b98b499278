// A small document shared by the document tests: one track of each kind and a second video track.
#pragma once

#include <gtest/gtest.h>

#include "lanterna/timeline/document.h"

namespace lanterna::timeline::testing {

class DocumentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    prompt = doc.requestAddTrack(TrackKind::Prompt, "Prompts").createdId;
    video = doc.requestAddTrack(TrackKind::Video, "V1").createdId;
    video2 = doc.requestAddTrack(TrackKind::Video, "V2").createdId;
    audio = doc.requestAddTrack(TrackKind::Audio, "A1").createdId;
    image = doc.requestAddTrack(TrackKind::ReferenceImage, "Refs").createdId;
    doc.undoStack().clear();
  }
  void TearDown() override { EXPECT_TRUE(doc.checkConsistency()) << doc.consistencyProblem(); }

  static VideoPayload clip(AssetId asset, FrameTime inPoint = FrameTime{0}, FrameTime length = FrameTime{0}) {
    VideoPayload payload;
    payload.asset = asset;
    payload.inPoint = inPoint;
    payload.sourceDuration = length;
    return payload;
  }

  ItemId insert(TrackId track, std::int64_t start, std::int64_t duration, ItemPayload payload) {
    auto result = doc.requestInsertItem(track, FrameTime{start}, FrameTime{duration}, std::move(payload));
    EXPECT_TRUE(result) << result.reason;
    return result.createdId;
  }

  // Undo gives back `before`, redo gives back `after`, and both are consistent.
  void expectRoundTrip(const DocumentSnapshot& before) {
    const DocumentSnapshot after = doc.snapshot();
    ASSERT_NE(after, before);
    doc.undoStack().undo();
    EXPECT_EQ(doc.snapshot(), before);
    EXPECT_TRUE(doc.checkConsistency()) << doc.consistencyProblem();
    doc.undoStack().redo();
    EXPECT_EQ(doc.snapshot(), after);
    EXPECT_TRUE(doc.checkConsistency()) << doc.consistencyProblem();
  }

  // A refused edit leaves the document exactly as it was and pushes nothing.
  void expectRefused(const EditResult& result, const std::string& reasonPart) {
    EXPECT_FALSE(result);
    EXPECT_NE(result.reason.find(reasonPart), std::string::npos) << result.reason;
  }

  Document doc{ProjectSettings{"Test", FrameRate{24, 1}, 640, 360}};
  TrackId prompt = 0, video = 0, video2 = 0, audio = 0, image = 0;
};

}  // namespace lanterna::timeline::testing
