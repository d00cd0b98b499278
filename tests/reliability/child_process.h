// A child process for kill tests: spawned with its stdout and stderr on one pipe, SIGKILLed at a chosen moment, its output
// read back in full. Linux only (fork/exec, poll). Used by one test thread.
//   ChildProcess child({"/path/to/lanterna-cli", "project", "info", file});
//   child.killAfter(std::chrono::milliseconds(40));   // or child.wait()
//   std::string out = child.output();
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

namespace lanterna::testing {

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      dup2(fds[1], STDERR_FILENO);  // messages are part of what the tests check
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> args;
      for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (pid_ > 0 && !reaped_) kill(pid_, SIGKILL), reap();
    if (out_ >= 0) close(out_);
  }

  bool started() const { return pid_ > 0; }

  // Reads output until the delay has passed (or the child exits), then SIGKILLs it. True if it was killed while
  // still running, false if it had already finished.
  bool killAfter(std::chrono::microseconds delay) {
    const auto deadline = std::chrono::steady_clock::now() + delay;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !drain(static_cast<int>(left.count()))) break;
    }
    const bool running = waitpid(pid_, &status_, WNOHANG) == 0;
    if (running) {
      kill(pid_, SIGKILL);
      reap();
    } else {
      reaped_ = true;
    }
    while (drain(0)) {
    }
    return running;
  }

  // Reads output until it contains text (true) or the child closes its output or the time is up (false).
  bool waitFor(const std::string& text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (output_.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !drain(static_cast<int>(left.count()))) return false;
    }
    return true;
  }

  int wait() {
    while (drain(-1)) {
    }
    reap();
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

  const std::string& output() const { return output_; }

 private:
  // Reads what is available within timeoutMs; false once the pipe is closed (or on timeout with nothing read).
  bool drain(int timeoutMs) {
    if (out_ < 0) return false;
    pollfd fd{out_, POLLIN, 0};
    if (poll(&fd, 1, timeoutMs) <= 0) return false;
    char buffer[4096];
    const ssize_t n = read(out_, buffer, sizeof buffer);
    if (n <= 0) return false;
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }
  void reap() {
    if (!reaped_) waitpid(pid_, &status_, 0);
    reaped_ = true;
  }

  pid_t pid_ = -1;
  int out_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  std::string output_;
};

}  // namespace lanterna::testing
