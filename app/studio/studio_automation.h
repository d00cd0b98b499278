// A scripted run of the real studio, for kill tests: the MainWindow opens a project and a timer drives the edits,
// generations and exports a user triggers, printing one line after each is reported saved. Usage:
//   lanterna --project P.lanterna --automate edits,generate,export [--models DIR] [--export-dir DIR]
//            [--automate-seed N] [--automate-count N]
// Lines on stdout (flushed at once, so a harness that SIGKILLs the studio knows what must survive):
//   ready                  the project is open in the window
//   saved <n>              the project was renamed "edit-<n>" and the store holds it
//   item <id>              prompt item <id> was inserted and the store holds it
//   running <generation>   a generation was queued for a prompt (must come back done or interrupted)
//   done <generation> <asset>   it finished; the store holds its output asset
//   exported <path>        an export finished under its final name
//   finished               every step ran and nothing is generating; the studio quits with 0
#pragma once

class QApplication;

namespace lanterna::studio {

// True when the command line asks for an automated run ("--automate").
bool automationRequested(int argc, char** argv);

// Parses the automation options, runs the studio until the steps are done and returns the exit code
// (2 for bad options or a project that cannot be opened).
int runAutomation(QApplication& application);

}  // namespace lanterna::studio
