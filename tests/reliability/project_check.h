// What "nothing is lost" means for a project file after a crash, checked with the real SQLite and the real store:
//   ProjectExpectations expected;  expected.savedEdit = 12;  expected.done[7] = 9;
//   std::string problem = checkProject(file, expected);   // empty when the project is whole
// Reopening read-write is part of the check: it is what recovers running generations as "interrupted".
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

namespace lanterna::testing {

struct ProjectExpectations {
  int savedEdit = 0;                           // the document's name is at least "edit-<savedEdit>"
  std::set<std::int64_t> imported;             // assets reported imported
  std::set<std::int64_t> running;              // generations reported running (done or interrupted after)
  std::map<std::int64_t, std::int64_t> done;   // generation -> its output asset
};

// Reads driver lines ("saved 3", "imported 5", "running 7", "done 7 9") into the expectations.
void recordDriverOutput(const std::string& output, ProjectExpectations& expected);

// integrity_check, reopen read-write, every reported edit present, no queued/running generation left, every
// asset's file whole (size and sha256). Empty when all hold; otherwise what failed.
std::string checkProject(const std::filesystem::path& file, const ProjectExpectations& expected);

// "ok" or SQLite's first complaint.
std::string integrityCheck(const std::filesystem::path& file);

}  // namespace lanterna::testing
