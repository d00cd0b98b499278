#include "conformance_case.h"
#include "conformance_nets.h"

namespace lanterna::inference {

CaseReport runClipTokenizerCase(const ConformanceCase& testCase);  // conformance_text.cpp
CaseReport runClipTextCase(const ConformanceCase& testCase);       // conformance_text.cpp
CaseReport runSchedulerCase(const ConformanceCase& testCase);      // conformance_schedulers.cpp
CaseReport runPipelineCase(const ConformanceCase& testCase);       // conformance_pipeline.cpp
CaseReport runMotionUNetCase(const ConformanceCase& testCase);     // conformance_video.cpp
CaseReport runSvdNetCase(const ConformanceCase& testCase);         // conformance_video.cpp

// One line per component family; each runner lives next to the component it checks.
// Keyed by manifest group letter, so a new case of a known family needs no change here.
CaseRunner findCaseRunner(const ConformanceCase& testCase) {
  if (testCase.group == "A") return runClipTokenizerCase;
  if (testCase.group == "B") return runClipTextCase;
  if (testCase.group == "E") return runSchedulerCase;
  if (testCase.group == "F") return runPipelineCase;
  if (testCase.group == "C") return runUNetCase;
  if (testCase.group == "D") return runVaeCase;
  if (testCase.group == "G") return runSingleFileCase;
  if (testCase.group == "J") return runTinyVaeCase;
  // SVD's EDM Euler schedule is filed under group I with the SVD models; only its scheduler cases come here.
  if (testCase.group == "I" && testCase.component.find("Scheduler") != std::string::npos) return runSchedulerCase;
  if (testCase.group == "I") return runSvdNetCase;
  if (testCase.group == "H") return runMotionUNetCase;
  return nullptr;
}

}  // namespace lanterna::inference
