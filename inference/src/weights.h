// Named tensors of one model component, borrowed from memory-mapped safetensors files where possible.
//   Weights unet = Weights::load(file, "model.diffusion_model.");   // throws WeightsError
//   at::Tensor w = unet.get("conv_in.weight");                       // names without the prefix
// Internal to inference/. Read-only after loading; safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "lanterna/inference/safetensors.h"

namespace lanterna::inference {

// Thrown inside the engine; turned into an Error at the public edge.
class WeightsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

at::ScalarType toScalarType(DType dtype);

// Zero-copy view of a tensor's bytes; the returned tensor keeps the file mapping alive.
at::Tensor borrowTensor(const SafetensorsFile& file, const TensorInfo& info);

class Weights {
 public:
  Weights() = default;
  // Loads every tensor whose name starts with prefix (prefix stripped). Floating tensors are converted to dtype
  // (no copy when already in that dtype on CPU).
  static Weights load(const SafetensorsFile& file, const std::string& prefix = "",
                      at::ScalarType dtype = at::kFloat, at::Device device = at::kCPU);

  bool has(const std::string& name) const { return tensors_.count(name) > 0; }
  // Throws WeightsError naming the missing tensor and the source file.
  const at::Tensor& get(const std::string& name) const;
  // get() plus a shape check: a wrong-shaped tensor is a wrong model, said plainly.
  const at::Tensor& get(const std::string& name, at::IntArrayRef expectedShape) const;
  // Tensors under "prefix", with the prefix removed.
  Weights sub(const std::string& prefix) const;

  void set(const std::string& name, at::Tensor tensor) { tensors_[name] = std::move(tensor); }
  // Benchmarks: every shape-checked get() of a missing tensor creates a small random one of that shape, so a
  // full-size architecture can be built from its config alone (same names and shapes as the real file).
  static Weights synthesizing(at::ScalarType dtype, at::Device device, std::uint64_t seed);
  const std::map<std::string, at::Tensor>& all() const { return tensors_; }
  std::map<std::string, at::Tensor>& all() { return tensors_; }
  const std::string& source() const { return source_; }
  void setSource(std::string source) { source_ = std::move(source); }

 private:
  mutable std::map<std::string, at::Tensor> tensors_;
  std::string source_;
  bool synthesize_ = false;
  at::TensorOptions synthesizeOptions_;
  mutable std::optional<at::Generator> generator_;
  std::string prefix_;  // what sub() stripped, so errors name the full tensor
};

}  // namespace lanterna::inference
