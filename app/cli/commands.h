// lanterna-cli subcommand families. Each add*Commands() registers its subcommands on the root app; the command
// names and flags are a contract that scripts depend on: keep them stable.
#pragma once

#include <CLI/CLI.hpp>

#include "lanterna/result.h"

namespace lanterna::cli {

// Exit codes shared by all subcommands.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;     // the work failed (message on stderr)
constexpr int kExitBadInput = 2;    // refused input (message on stderr)
constexpr int kExitCancelled = 130;

void addConformanceCommands(CLI::App& app, int& exitCode);
void addGenerateCommands(CLI::App& app, int& exitCode);
void addModelsCommands(CLI::App& app, int& exitCode);
void addProjectCommands(CLI::App& app, int& exitCode);
void addHistoryCommands(CLI::App& app, int& exitCode);
void addToyworldCommands(CLI::App& app, int& exitCode);
void addImportCommands(CLI::App& app, int& exitCode);
void addExportCommands(CLI::App& app, int& exitCode);
void addAnimateCommands(CLI::App& app, int& exitCode);
void addClipCommands(CLI::App& app, int& exitCode);

// Prints the message on stderr; returns kExitBadInput for refused input (missing or unreadable file, bad
// argument), kExitFailure otherwise.
int reportError(const Error& error);

}  // namespace lanterna::cli
