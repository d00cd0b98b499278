// The Vulkan compute path of Compositor: one pipeline (shaders/composite.comp), host-visible storage buffers that
// grow on demand, one submit per composed frame.
#pragma once

#include <memory>
#include <string>

#include "lanterna/assets/compositor.h"

namespace lanterna::assets {

class VulkanCompositor {
 public:
  // Error (FeatureUnsupported) with the reason when no instance, device or compute queue can be had.
  static Result<std::unique_ptr<VulkanCompositor>> create();
  ~VulkanCompositor();
  Result<Frame> compose(const CompositionFrame& plan);
  const std::string& deviceName() const;

 private:
  struct State;
  VulkanCompositor();
  std::unique_ptr<State> state_;
};

}  // namespace lanterna::assets
