// Runs the built lanterna-cli as a process, as a script would: exit code, stdout and stderr.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace lanterna::testing {

struct CliRun {
  int exitCode = -1;
  std::string out, err;
};

inline CliRun runCli(const QStringList& arguments) {
  QProcess process;
  process.start(QStringLiteral(LANTERNA_CLI_PATH), arguments);
  // LANTERNA_TEST_TIME_SCALE stretches the wait where everything runs slower (sanitizers: scripts/sanitize.sh).
  const char* scale = std::getenv("LANTERNA_TEST_TIME_SCALE");
  const int waitMs = 60000 * std::max(1, scale ? std::atoi(scale) : 1);
  EXPECT_TRUE(process.waitForFinished(waitMs)) << "lanterna-cli did not finish in " << waitMs / 1000 << " s";
  return CliRun{process.exitCode(), process.readAllStandardOutput().toStdString(),
                process.readAllStandardError().toStdString()};
}

inline QString q(const std::filesystem::path& path) { return QString::fromStdString(path.string()); }

}  // namespace lanterna::testing
