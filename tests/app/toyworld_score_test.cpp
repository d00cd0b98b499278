// The ceiling of eval-toyworld: on the toy world's own renders of the held-out and training scenes, the detector finds
// every named shape where its caption says. Below 100% the detector or the captions are wrong, not a model.
#include <gtest/gtest.h>

#include "lanterna/app/toyworld_score.h"

using namespace lanterna;

TEST(ToyworldScore, GroundTruthRendersPassEveryPromptOfBothSplits) {
  for (bool heldOut : {true, false}) {
    app::ToyworldEvalOptions options;
    options.prompts = 30;
    options.heldOut = heldOut;
    auto score = app::scoreToyworldTruth(options);
    ASSERT_TRUE(score.ok()) << score.error().message;
    ASSERT_EQ(score->total, 30);
    std::string misses;
    for (const auto& result : score->results)
      if (!result.allShapes) misses += "\n  \"" + result.prompt + "\": " + result.reason;
    EXPECT_EQ(score->passed, 30) << (heldOut ? "held-out" : "train") << misses;
    EXPECT_EQ(score->allShapesPassed, 30) << (heldOut ? "held-out" : "train") << misses;
    EXPECT_EQ(score->results.front().image.width, 128);
  }
}
