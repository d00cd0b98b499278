// Case runners for the network groups: C (UNet), D (AutoencoderKL), G (single-file checkpoint), J (TAESD).
#pragma once

#include "conformance_case.h"

namespace lanterna::inference {

CaseReport runUNetCase(const ConformanceCase& testCase);
CaseReport runVaeCase(const ConformanceCase& testCase);
CaseReport runTinyVaeCase(const ConformanceCase& testCase);
CaseReport runSingleFileCase(const ConformanceCase& testCase);

}  // namespace lanterna::inference
