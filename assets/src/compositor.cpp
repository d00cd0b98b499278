#include "lanterna/assets/compositor.h"

#include "vulkan_compositor.h"

#include <cstdio>

namespace lanterna::assets {

struct Compositor::Impl {
  std::unique_ptr<VulkanCompositor> vulkan;
  std::string fallbackReason;
};

Compositor::Compositor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Compositor::Compositor(Compositor&&) noexcept = default;
Compositor& Compositor::operator=(Compositor&&) noexcept = default;
Compositor::~Compositor() = default;

Compositor Compositor::create(CompositorBackend preferred) {
  auto impl = std::make_unique<Impl>();
  if (preferred != CompositorBackend::Cpu) {
    auto vulkan = VulkanCompositor::create();
    if (vulkan) {
      impl->vulkan = std::move(*vulkan);
    } else {
      impl->fallbackReason = vulkan.error().message;
      // For us, not the user: the CPU path gives the same pictures, only slower.
      std::fprintf(stderr, "[lanterna.assets] %s; compositing on the CPU\n", impl->fallbackReason.c_str());
    }
  }
  return Compositor(std::move(impl));
}

Result<Frame> Compositor::compose(const CompositionFrame& plan) {
  return impl_->vulkan ? impl_->vulkan->compose(plan) : composeCpu(plan);
}

bool Compositor::usesVulkan() const { return impl_->vulkan != nullptr; }
std::string Compositor::deviceName() const { return impl_->vulkan ? impl_->vulkan->deviceName() : "CPU"; }
const std::string& Compositor::fallbackReason() const { return impl_->fallbackReason; }

}  // namespace lanterna::assets
