#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace lanterna::cli {

ProgressBar::ProgressBar(std::string label) : label_(std::move(label)), terminal_(::isatty(STDERR_FILENO)) {}

void ProgressBar::update(int done, int total, double elapsedSeconds) {
  if (total <= 0) return;
  const int percent = done * 100 / total;
  const double perStep = done > 0 ? elapsedSeconds / done : 0.0;
  const int eta = static_cast<int>(perStep * (total - done) + 0.5);
  if (terminal_) {
    constexpr int kWidth = 30;
    const int filled = done * kWidth / total;
    std::fprintf(stderr, "\r%s [%.*s%*s] %d/%d  %.2f s/it  ETA %d:%02d ", label_.c_str(), filled,
                 "##############################", kWidth - filled, "", done, total, perStep, eta / 60, eta % 60);
  } else if (percent / 25 != lastPrintedPercent_ / 25 || done == total) {
    // Piped output gets a line at 0/25/50/75/100% so logs stay readable.
    std::fprintf(stderr, "%s %d/%d (%d%%)  %.2f s/it\n", label_.c_str(), done, total, percent, perStep);
    lastPrintedPercent_ = percent;
  }
  std::fflush(stderr);
}

void ProgressBar::finish(const std::string& message) {
  if (terminal_) std::fprintf(stderr, "\n");
  if (!message.empty()) std::fprintf(stderr, "%s\n", message.c_str());
}

}  // namespace lanterna::cli
