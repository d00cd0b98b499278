// Runs the built lanterna-cli as a process, as a script would: exit code, stdout and stderr.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <gtest/gtest.h>

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
  EXPECT_TRUE(process.waitForFinished(60000)) << "lanterna-cli did not finish";
  return CliRun{process.exitCode(), process.readAllStandardOutput().toStdString(),
                process.readAllStandardError().toStdString()};
}

inline QString q(const std::filesystem::path& path) { return QString::fromStdString(path.string()); }

}  // namespace lanterna::testing
