#include "weights.h"

#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

namespace lanterna::inference {

at::ScalarType toScalarType(DType dtype) {
  switch (dtype) {
    case DType::F64: return at::kDouble;
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::Bool: return at::kBool;
    case DType::Unset: break;
  }
  throw WeightsError("tensor dtype is not supported");
}

at::Tensor borrowTensor(const SafetensorsFile& file, const TensorInfo& info) {
  auto keepAlive = file.keepAlive();
  void* data = const_cast<std::byte*>(file.bytes(info));
  if (info.numel() == 0) return at::empty(info.shape, at::TensorOptions().dtype(toScalarType(info.dtype)));
  return at::from_blob(
      data, info.shape, [keepAlive](void*) mutable { keepAlive.reset(); },
      at::TensorOptions().dtype(toScalarType(info.dtype)));
}

Weights Weights::load(const SafetensorsFile& file, const std::string& prefix, at::ScalarType dtype,
                      at::Device device) {
  Weights weights;
  weights.source_ = file.path().filename().string();
  for (const auto& info : file.tensors()) {
    if (info.name.compare(0, prefix.size(), prefix) != 0) continue;
    at::Tensor tensor = borrowTensor(file, info);
    if (at::isFloatingType(tensor.scalar_type()))
      tensor = tensor.to(device, dtype);
    else if (device != at::kCPU)
      tensor = tensor.to(device);
    weights.tensors_[info.name.substr(prefix.size())] = std::move(tensor);
  }
  return weights;
}

const at::Tensor& Weights::get(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end())
    throw WeightsError("\"" + source_ + "\" is missing the tensor \"" + prefix_ + name +
                       "\" (incomplete file, or a different model architecture).");
  return it->second;
}

Weights Weights::synthesizing(at::ScalarType dtype, at::Device device, std::uint64_t seed) {
  Weights weights;
  weights.source_ = "synthesized weights";
  weights.synthesize_ = true;
  weights.synthesizeOptions_ = at::TensorOptions().dtype(dtype).device(device);
  weights.generator_ = at::make_generator<at::CPUGeneratorImpl>(seed);
  return weights;
}

const at::Tensor& Weights::get(const std::string& name, at::IntArrayRef expectedShape) const {
  if (synthesize_ && !has(name)) {
    at::Tensor random = at::randn(expectedShape, *generator_, at::kFloat) * 0.02;
    tensors_[name] = random.to(synthesizeOptions_);
  }
  const at::Tensor& tensor = get(name);
  if (tensor.sizes() != expectedShape) {
    std::ostringstream text;
    text << "\"" << source_ << "\": tensor \"" << prefix_ << name << "\" has shape " << tensor.sizes() << " but "
         << expectedShape << " was expected (a different model architecture or config).";
    throw WeightsError(text.str());
  }
  return tensor;
}

Weights Weights::sub(const std::string& prefix) const {
  Weights out;
  out.synthesize_ = synthesize_;
  out.synthesizeOptions_ = synthesizeOptions_;
  out.generator_ = generator_;
  out.source_ = source_;
  out.prefix_ = prefix_ + prefix;
  for (auto it = tensors_.lower_bound(prefix); it != tensors_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.tensors_[it->first.substr(prefix.size())] = it->second;
  }
  return out;
}

}  // namespace lanterna::inference
