// How many CPU threads the engine gives LibTorch: all cores by default, OMP_NUM_THREADS when the user set it (a
// machine shared with other busy processes runs faster with fewer), cpuThreads above both.
#include <gtest/gtest.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <thread>

#include "video_open.h"

using namespace lanterna::inference;

namespace {

// Sets or clears OMP_NUM_THREADS for one scope, and puts the old value and thread count back.
class ThreadEnvironment {
 public:
  explicit ThreadEnvironment(const char* value) : threads_(at::get_num_threads()) {
    if (const char* old = std::getenv("OMP_NUM_THREADS")) old_ = old, hadOld_ = true;
    value ? setenv("OMP_NUM_THREADS", value, 1) : unsetenv("OMP_NUM_THREADS");
  }
  ~ThreadEnvironment() {
    hadOld_ ? setenv("OMP_NUM_THREADS", old_.c_str(), 1) : unsetenv("OMP_NUM_THREADS");
    at::set_num_threads(threads_);
  }

 private:
  int threads_;
  std::string old_;
  bool hadOld_ = false;
};

int threadsAfterOpening(int cpuThreads) {
  EngineOptions options;
  options.device = Device::Cpu;
  options.cpuThreads = cpuThreads;
  EXPECT_TRUE(engineLoadOptions(options).ok());
  return at::get_num_threads();
}

}  // namespace

TEST(EngineThreads, AllCoresUnlessOmpNumThreadsOrTheOptionSaysOtherwise) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  {
    ThreadEnvironment unset(nullptr);
    EXPECT_EQ(threadsAfterOpening(0), cores);
  }
  {
    ThreadEnvironment one("1");
    EXPECT_EQ(defaultCpuThreads(), 1);
    EXPECT_EQ(threadsAfterOpening(0), 1);
    EXPECT_EQ(threadsAfterOpening(3), 3);  // an explicit setting wins
  }
  {
    ThreadEnvironment junk("lots");
    EXPECT_EQ(threadsAfterOpening(0), cores);  // not a number: ignored
  }
}
