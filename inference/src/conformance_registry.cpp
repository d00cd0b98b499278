#include "conformance_case.h"
#include "conformance_nets.h"

namespace lanterna::inference {

// One line per component family; each runner lives next to the component it checks.
// Keyed by manifest group letter, so a new case of a known family needs no change here.
CaseRunner findCaseRunner(const ConformanceCase& testCase) {
  const std::string& group = testCase.group;
  if (group == "C") return runUNetCase;
  if (group == "D") return runVaeCase;
  if (group == "G") return runSingleFileCase;
  if (group == "J") return runTinyVaeCase;
  return nullptr;
}

}  // namespace lanterna::inference
