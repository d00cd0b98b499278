// A one-line terminal progress bar on stderr (redrawn in place on a terminal; sparse lines when piped).
#pragma once

#include <string>

namespace lanterna::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label);
  void update(int done, int total, double elapsedSeconds);
  void finish(const std::string& message);

 private:
  std::string label_;
  bool terminal_ = false;
  int lastPrintedPercent_ = -1;
};

}  // namespace lanterna::cli
