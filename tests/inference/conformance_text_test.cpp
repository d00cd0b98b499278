// Conformance vectors of groups A (tokenizer), B (CLIP text), E (schedulers) and SVD's EDM Euler schedule (group I),
// one test per manifest case.
#include "conformance_cases.h"

namespace lanterna::testing {
namespace {

class ConformanceText : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceText, MatchesReference) { expectCaseMatchesReference(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Groups, ConformanceText, ::testing::ValuesIn(conformanceCaseNames([](const nlohmann::json& e) {
                           return inGroups({"A", "B", "E"})(e) || (inGroups({"I"})(e) && isSchedulerCase(e));
                         })),
                         caseName);

}  // namespace
}  // namespace lanterna::testing
