#include "conformance_case.h"

namespace lanterna::inference {

// One line per component family; each runner lives next to the component it checks.
// Keyed by manifest group letter, so a new case of a known family needs no change here.
CaseRunner findCaseRunner(const ConformanceCase& testCase) {
  (void)testCase;
  return nullptr;
}

}  // namespace lanterna::inference
