#include "conformance_case.h"
namespace lanterna::inference {
CaseReport runSchedulerCase(const ConformanceCase& testCase) {
  CaseChecker checker(testCase);
  checker.fail("not implemented yet");
  return checker.report();
}
}  // namespace lanterna::inference
