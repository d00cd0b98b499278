// Groups C (UNet), D (AutoencoderKL), F (whole text-to-image pipeline), G (single-file checkpoint) and J (TAESD)
// of the shared conformance vectors, one test per manifest case, through `lanterna-cli conformance`'s entry point.
#include "conformance_cases.h"

namespace lanterna::testing {
namespace {

class NetConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(NetConformance, MatchesReference) { expectCaseMatchesReference(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Groups, NetConformance,
                         ::testing::ValuesIn(conformanceCaseNames(inGroups({"C", "D", "F", "G", "J"}))), caseName);

}  // namespace
}  // namespace lanterna::testing
