#include "conformance_case.h"

#include <fstream>
#include <sstream>

#include <c10/util/Exception.h>

#include "weights.h"

namespace lanterna::inference {
namespace {

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, ','))
    if (!part.empty()) parts.push_back(part);
  return parts;
}

Result<std::vector<ConformanceCase>> readManifest(const std::filesystem::path& folder) {
  const auto manifestPath = folder / "manifest.json";
  std::ifstream in(manifestPath);
  if (!in)
    return makeError(ErrorKind::FileNotFound, "No manifest.json in \"" + folder.string() + "\".", manifestPath);
  nlohmann::json manifest;
  try {
    in >> manifest;
  } catch (const nlohmann::json::exception& e) {
    return makeError(ErrorKind::FormatIncorrect, "\"" + manifestPath.string() + "\" is not valid JSON: " + e.what(),
                     manifestPath);
  }
  std::vector<ConformanceCase> cases;
  for (const auto& entry : manifest.value("cases", nlohmann::json::array())) {
    ConformanceCase testCase;
    testCase.folder = folder;
    testCase.name = entry.value("name", "");
    testCase.group = entry.value("group", "");
    testCase.component = entry.value("component", "");
    testCase.entry = entry;
    cases.push_back(std::move(testCase));
  }
  return cases;
}

CaseReport runOne(const ConformanceCase& testCase) {
  CaseRunner runner = findCaseRunner(testCase);
  if (!runner) {
    CaseReport report{testCase.name, testCase.group, testCase.component};
    report.detail = "no runner for component \"" + testCase.component + "\"";
    return report;
  }
  try {
    return runner(testCase);
  } catch (const c10::Error& e) {
    CaseReport report{testCase.name, testCase.group, testCase.component};
    report.detail = e.msg();
    return report;
  } catch (const std::exception& e) {
    CaseReport report{testCase.name, testCase.group, testCase.component};
    report.detail = e.what();
    return report;
  }
}

}  // namespace

std::vector<std::filesystem::path> ConformanceCase::weightFiles() const {
  std::vector<std::filesystem::path> files;
  if (entry.contains("weights") && entry["weights"].is_string())
    for (const auto& name : splitCommas(entry["weights"].get<std::string>())) files.push_back(folder / name);
  return files;
}

std::filesystem::path ConformanceCase::ioFile() const {
  if (entry.contains("io") && entry["io"].is_string()) return folder / entry["io"].get<std::string>();
  return {};
}

CaseTensors::CaseTensors(const ConformanceCase& testCase) {
  auto file = SafetensorsFile::open(testCase.ioFile());
  if (!file) throw WeightsError(file.error().message);
  for (const auto& info : file->tensors()) tensors_[info.name] = borrowTensor(*file, info).clone();
}

at::Tensor CaseTensors::input(const std::string& name) const {
  auto it = tensors_.find("in." + name);
  if (it == tensors_.end()) throw WeightsError("io file has no input \"in." + name + "\"");
  return it->second;
}

at::Tensor CaseTensors::expected(const std::string& name) const {
  auto it = tensors_.find("out." + name);
  if (it == tensors_.end()) throw WeightsError("io file has no output \"out." + name + "\"");
  return it->second;
}

bool CaseTensors::hasInput(const std::string& name) const { return tensors_.count("in." + name) > 0; }
bool CaseTensors::hasExpected(const std::string& name) const { return tensors_.count("out." + name) > 0; }

std::vector<std::string> CaseTensors::expectedNames() const {
  std::vector<std::string> names;
  for (const auto& [key, tensor] : tensors_)
    if (key.rfind("out.", 0) == 0) names.push_back(key.substr(4));
  return names;
}

CaseChecker::CaseChecker(const ConformanceCase& testCase) : case_(testCase) {
  report_.name = testCase.name;
  report_.group = testCase.group;
  report_.component = testCase.component;
  report_.passed = true;
}

void CaseChecker::compare(const std::string& output, const at::Tensor& actualIn, const at::Tensor& expectedIn) {
  anyCompared_ = true;
  at::Tensor actual = actualIn.detach().to(at::kCPU);
  at::Tensor expected = expectedIn.detach().to(at::kCPU);
  if (actual.sizes() != expected.sizes()) {
    std::ostringstream text;
    text << output << ": shape " << actual.sizes() << " != expected " << expected.sizes();
    fail(text.str());
    return;
  }
  const nlohmann::json& tolerances = case_.entry.value("tolerance", nlohmann::json::object());
  nlohmann::json tolerance = tolerances.contains(output) ? tolerances[output]
                             : tolerances.contains("all") ? tolerances["all"]
                                                          : nlohmann::json::object();
  const bool exact = tolerance.value("exact", false) || !at::isFloatingType(expected.scalar_type());
  if (exact) {
    const bool equal = at::equal(actual.to(expected.scalar_type()), expected);
    double worstAbs = 0.0;
    if (!equal && actual.numel() > 0)
      worstAbs = (actual.to(at::kDouble) - expected.to(at::kDouble)).abs().max().item<double>();
    const double ratio = equal ? 0.0 : std::numeric_limits<double>::infinity();
    if (ratio >= report_.worstRatio) {
      report_.worstRatio = ratio;
      report_.worstAbsError = worstAbs;
      report_.worstOutput = output;
    }
    if (!equal) fail(output + ": not exactly equal (max abs diff " + std::to_string(worstAbs) + ")");
    return;
  }
  const double atol = tolerance.value("atol", 1e-5);
  const double rtol = tolerance.value("rtol", 1e-4);
  at::Tensor a = actual.to(at::kDouble), e = expected.to(at::kDouble);
  at::Tensor diff = (a - e).abs();
  at::Tensor allowed = atol + rtol * e.abs();
  double ratio = 0.0, worstAbs = 0.0;
  if (a.numel() > 0) {
    if (!at::isfinite(a).all().item<bool>()) {
      fail(output + ": contains NaN or Inf");
      report_.worstRatio = std::numeric_limits<double>::infinity();
      report_.worstOutput = output;
      return;
    }
    ratio = (diff / allowed).max().item<double>();
    worstAbs = diff.max().item<double>();
  }
  if (ratio >= report_.worstRatio) {
    report_.worstRatio = ratio;
    report_.worstAbsError = worstAbs;
    report_.worstOutput = output;
  }
  if (ratio > 1.0) {
    std::ostringstream text;
    text << output << ": max abs error " << worstAbs << " exceeds tolerance (atol " << atol << ", rtol " << rtol
         << ")";
    fail(text.str());
  }
}

void CaseChecker::fail(const std::string& why) {
  report_.passed = false;
  if (!report_.detail.empty()) report_.detail += "; ";
  report_.detail += why;
}

CaseReport CaseChecker::report() const {
  CaseReport out = report_;
  if (!anyCompared_ && out.passed) {
    out.passed = false;
    out.detail = "no output was compared";
  }
  return out;
}

Result<std::vector<CaseReport>> runConformance(const std::filesystem::path& folder,
                                               const std::vector<std::string>& groups,
                                               const std::function<void(const CaseReport&)>& onCase) {
  auto cases = readManifest(folder);
  if (!cases) return cases.error();
  std::vector<CaseReport> reports;
  for (const auto& testCase : *cases) {
    if (!groups.empty() && std::find(groups.begin(), groups.end(), testCase.group) == groups.end()) continue;
    reports.push_back(runOne(testCase));
    if (onCase) onCase(reports.back());
  }
  return reports;
}

Result<CaseReport> runConformanceCase(const std::filesystem::path& folder, const std::string& caseName) {
  auto cases = readManifest(folder);
  if (!cases) return cases.error();
  for (const auto& testCase : *cases)
    if (testCase.name == caseName) return runOne(testCase);
  return makeError(ErrorKind::InvalidArgument, "No case named \"" + caseName + "\" in " + folder.string());
}

}  // namespace lanterna::inference
