// lanterna-cli: everything the studio does, without a window.
#include <iostream>

#include "commands.h"
#include "lanterna/app/version.h"

int main(int argc, char** argv) {
  CLI::App app{"Lanterna: a local studio for AI video (command line)", "lanterna-cli"};
  app.set_version_flag("--version", std::string("lanterna-cli ") + lanterna::app::versionString());
  app.require_subcommand(1);
  int exitCode = lanterna::cli::kExitOk;
  lanterna::cli::addConformanceCommands(app, exitCode);
  lanterna::cli::addGenerateCommands(app, exitCode);
  lanterna::cli::addModelsCommands(app, exitCode);
  lanterna::cli::addProjectCommands(app, exitCode);
  lanterna::cli::addHistoryCommands(app, exitCode);
  lanterna::cli::addToyworldCommands(app, exitCode);
  lanterna::cli::addImportCommands(app, exitCode);
  lanterna::cli::addExportCommands(app, exitCode);
  lanterna::cli::addAnimateCommands(app, exitCode);
  lanterna::cli::addClipCommands(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : lanterna::cli::kExitBadInput;
  }
  return exitCode;
}
