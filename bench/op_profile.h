// A per-op profile of ATen work on the calling thread, through RecordFunction callbacks (no torch/ headers, no
// Kineto): self time per op name in process CPU time (all threads, so OpenMP workers count) and wall time, plus
// FLOP counts for convolutions and GEMMs so their rate can be compared with PyTorch eager's (~320 GFLOP/s convs,
// ~225 Linear at 256^2; /work/shared/PERFORMANCE-REFERENCE.md). Used by sd_bench --profile.
#pragma once

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <ATen/record_function.h>

namespace lanterna::bench {

inline double processCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

inline double wallSeconds() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct OpStats {
  double selfCpu = 0, selfWall = 0, flops = 0;
  int64_t calls = 0;
};

// Records while alive; one at a time. Only ops entered on the constructing thread are timed (ops that our own
// parallel_for workers start are inside an op of this thread and count toward its self time).
class OpProfile {
 public:
  OpProfile() {
    owner_ = this;
    thread_ = currentThreadId();
    handle_ = at::addGlobalCallback(at::RecordFunctionCallback(&OpProfile::onStart, &OpProfile::onEnd)
                                        .needsInputs(true)
                                        .scopes({at::RecordScope::FUNCTION}));
  }
  ~OpProfile() {
    at::removeCallback(handle_);
    owner_ = nullptr;
  }
  OpProfile(const OpProfile&) = delete;
  OpProfile& operator=(const OpProfile&) = delete;

  const std::map<std::string, OpStats>& stats() const { return stats_; }

  // Prints ops by self CPU time, with each op's share and the GFLOP/s of the counted ones, per step of `steps`.
  void print(int steps) const { printTable(stats_, steps, 0.002, 40); }
  // The counted ops (convolutions, GEMMs) split by input shapes, the slowest first.
  void printShapes(int steps, size_t maxRows = 40) const { printTable(shapeStats_, steps, 0.0, maxRows); }

 private:
  static void printTable(const std::map<std::string, OpStats>& stats, int steps, double minShare, size_t maxRows) {
    std::vector<std::pair<std::string, OpStats>> rows(stats.begin(), stats.end());
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.second.selfCpu > b.second.selfCpu; });
    double totalCpu = 0, totalWall = 0;
    for (auto& [name, s] : rows) totalCpu += s.selfCpu, totalWall += s.selfWall;
    std::printf("%-40s %8s %9s %9s %6s %9s\n", "op (self time per step)", "calls", "cpu_s", "wall_s", "cpu%",
                "GFLOP/s");
    size_t printed = 0;
    for (auto& [name, s] : rows) {
      if (s.selfCpu < minShare * totalCpu || printed++ >= maxRows) continue;
      const double rate = s.flops > 0 && s.selfWall > 0 ? s.flops / s.selfWall / 1e9 : 0;
      std::printf("%-40s %8lld %9.4f %9.4f %6.1f %9.1f\n", name.c_str(), static_cast<long long>(s.calls / steps),
                  s.selfCpu / steps, s.selfWall / steps, 100 * s.selfCpu / totalCpu, rate);
    }
    std::printf("%-40s %8s %9.4f %9.4f\n", "total of these ops", "", totalCpu / steps, totalWall / steps);
  }

  struct Frame {
    std::string name;
    double cpu, wall, childCpu = 0, childWall = 0, flops = 0;
    std::string shapes;  // for the counted ops: their input shapes, to tell the slow layers apart
  };

  static std::string shapeText(at::IntArrayRef sizes) {
    std::string text = "[";
    for (size_t i = 0; i < sizes.size(); ++i) text += (i ? "," : "") + std::to_string(sizes[i]);
    return text + "]";
  }

  static uint64_t currentThreadId() { return static_cast<uint64_t>(pthread_self()); }

  // Multiply-adds x2 of the ops that dominate: convolutions (weight at input 1) and the GEMM family.
  static double countFlops(const at::RecordFunction& fn) {
    const std::string name = fn.name();
    auto in = fn.inputs();
    auto sizes = [&](size_t i) -> std::vector<int64_t> {
      if (i >= in.size() || !in[i].isTensor()) return {};
      auto s = in[i].toTensor().sizes();
      return {s.begin(), s.end()};
    };
    auto product = [](const std::vector<int64_t>& s, size_t from) {
      double p = 1;
      for (size_t i = from; i < s.size(); ++i) p *= static_cast<double>(s[i]);
      return p;
    };
    if (name == "aten::mkldnn_convolution" || name == "aten::thnn_conv2d" || name == "aten::_slow_conv2d_forward" ||
        name == "aten::_nnpack_spatial_convolution") {
      auto x = sizes(0), w = sizes(1);
      if (x.size() != 4 || w.size() != 4) return 0;
      // Output spatial size from stride/padding would need the arguments; the UNet's stride-2 convs are few, so
      // this counts them as stride 1 and over-states their rate (noted in docs/performance.md).
      return 2.0 * static_cast<double>(x[0]) * product(w, 0) * static_cast<double>(x[2] * x[3]);
    }
    if (name == "aten::addmm" || name == "aten::mm") {
      auto a = sizes(name == "aten::addmm" ? 1 : 0), b = sizes(name == "aten::addmm" ? 2 : 1);
      if (a.size() != 2 || b.size() != 2) return 0;
      return 2.0 * static_cast<double>(a[0] * a[1] * b[1]);
    }
    if (name == "aten::bmm" || name == "aten::baddbmm") {
      auto a = sizes(name == "aten::bmm" ? 0 : 1), b = sizes(name == "aten::bmm" ? 1 : 2);
      if (a.size() != 3 || b.size() != 3) return 0;
      return 2.0 * static_cast<double>(a[0] * a[1] * a[2] * b[2]);
    }
    return 0;
  }

  static std::unique_ptr<at::ObserverContext> onStart(const at::RecordFunction& fn) {
    OpProfile* self = owner_;
    if (self == nullptr || currentThreadId() != self->thread_) return nullptr;
    const double flops = countFlops(fn);
    std::string shapes;
    if (flops > 0 && self->byShape_)
      for (const auto& v : fn.inputs())
        if (v.isTensor()) shapes += " " + shapeText(v.toTensor().sizes());
    self->stack_.push_back({fn.name(), processCpuSeconds(), wallSeconds(), 0, 0, flops, std::move(shapes)});
    return nullptr;
  }

  static void onEnd(const at::RecordFunction&, at::ObserverContext*) {
    OpProfile* self = owner_;
    if (self == nullptr || currentThreadId() != self->thread_ || self->stack_.empty()) return;
    Frame f = std::move(self->stack_.back());
    self->stack_.pop_back();
    const double cpu = processCpuSeconds() - f.cpu, wall = wallSeconds() - f.wall;
    OpStats& s = self->stats_[f.name];
    s.selfCpu += cpu - f.childCpu;
    s.selfWall += wall - f.childWall;
    s.flops += f.flops;
    ++s.calls;
    if (!f.shapes.empty()) {
      OpStats& d = self->shapeStats_[f.name + f.shapes];
      d.selfCpu += cpu - f.childCpu;
      d.selfWall += wall - f.childWall;
      d.flops += f.flops;
      ++d.calls;
    }
    if (!self->stack_.empty()) {
      self->stack_.back().childCpu += cpu;
      self->stack_.back().childWall += wall;
      // A counted op's work happens in its callees (conv2d -> mkldnn_convolution): the FLOPs go with the leaf.
    }
  }

  static inline OpProfile* owner_ = nullptr;
  uint64_t thread_ = 0;
  at::CallbackHandle handle_{};
  std::vector<Frame> stack_;
  std::map<std::string, OpStats> stats_;
  bool byShape_ = true;
  std::map<std::string, OpStats> shapeStats_;
};

}  // namespace lanterna::bench
