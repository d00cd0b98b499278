// Groups H (AnimateDiff motion UNet) and I (SVD UNet, temporal VAE, CLIP vision) of the shared conformance vectors,
// one test per manifest case. SVD's scheduler cases run with the other schedulers (conformance_text_test).
#include "conformance_cases.h"

namespace lanterna::testing {
namespace {

class VideoConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(VideoConformance, MatchesReference) { expectCaseMatchesReference(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Groups, VideoConformance,
                         ::testing::ValuesIn(conformanceCaseNames([](const nlohmann::json& entry) {
                           return inGroups({"H", "I"})(entry) && !isSchedulerCase(entry);
                         })),
                         caseName);

}  // namespace
}  // namespace lanterna::testing
