#include "vulkan_compositor.h"

#include "compositor_layout.h"

#include <vulkan/vulkan.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "composite_spv.h"  // generated from shaders/composite.comp at build time

namespace lanterna::assets {
namespace {

struct PushConstants {
  float background[4];
  float rect[4];
  std::int32_t dstSize[2];
  std::int32_t srcSize[2];
  std::uint32_t srcOffset;
  std::uint32_t mode;
  float opacity;
  std::uint32_t blend;
};

struct Buffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize size = 0;
  void* mapped = nullptr;
};

Error unsupported(const std::string& why) {
  return makeError(ErrorKind::FeatureUnsupported, "Vulkan compositor unavailable: " + why);
}

}  // namespace

struct VulkanCompositor::State {
  VkInstance instance = VK_NULL_HANDLE;
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  std::uint32_t queueFamily = 0;
  VkShaderModule shader = VK_NULL_HANDLE;
  VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
  VkPipelineLayout pipelineLayout = VK_NULL_HANDLE;
  VkPipeline pipeline = VK_NULL_HANDLE;
  VkDescriptorPool pool = VK_NULL_HANDLE;
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkCommandPool commandPool = VK_NULL_HANDLE;
  VkCommandBuffer commands = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  Buffer buffers[3];  // sources, accumulator, output
  std::string name;

  ~State() {
    if (device) {
      vkDeviceWaitIdle(device);
      for (Buffer& b : buffers) destroy(b);
      vkDestroyFence(device, fence, nullptr);
      vkDestroyCommandPool(device, commandPool, nullptr);
      vkDestroyDescriptorPool(device, pool, nullptr);
      vkDestroyPipeline(device, pipeline, nullptr);
      vkDestroyPipelineLayout(device, pipelineLayout, nullptr);
      vkDestroyDescriptorSetLayout(device, setLayout, nullptr);
      vkDestroyShaderModule(device, shader, nullptr);
      vkDestroyDevice(device, nullptr);
    }
    if (instance) vkDestroyInstance(instance, nullptr);
  }

  void destroy(Buffer& b) {
    if (b.mapped) vkUnmapMemory(device, b.memory);
    vkDestroyBuffer(device, b.buffer, nullptr);
    vkFreeMemory(device, b.memory, nullptr);
    b = Buffer{};
  }

  // Host-visible + coherent: on lavapipe and integrated GPUs this is the device's own memory anyway.
  bool ensure(int binding, VkDeviceSize size) {
    Buffer& b = buffers[binding];
    if (b.size >= size) return true;
    if (b.buffer) destroy(b);
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    info.size = size;
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    if (vkCreateBuffer(device, &info, nullptr, &b.buffer) != VK_SUCCESS) return false;
    VkMemoryRequirements needs;
    vkGetBufferMemoryRequirements(device, b.buffer, &needs);
    VkPhysicalDeviceMemoryProperties props;
    vkGetPhysicalDeviceMemoryProperties(physical, &props);
    const VkMemoryPropertyFlags want = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    std::uint32_t type = UINT32_MAX;
    for (std::uint32_t i = 0; i < props.memoryTypeCount && type == UINT32_MAX; ++i)
      if ((needs.memoryTypeBits & (1u << i)) && (props.memoryTypes[i].propertyFlags & want) == want) type = i;
    if (type == UINT32_MAX) return false;
    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = needs.size;
    alloc.memoryTypeIndex = type;
    if (vkAllocateMemory(device, &alloc, nullptr, &b.memory) != VK_SUCCESS) return false;
    vkBindBufferMemory(device, b.buffer, b.memory, 0);
    vkMapMemory(device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped);
    b.size = size;
    VkDescriptorBufferInfo bufferInfo{b.buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet write{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    write.dstSet = set;
    write.dstBinding = std::uint32_t(binding);
    write.descriptorCount = 1;
    write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    write.pBufferInfo = &bufferInfo;
    vkUpdateDescriptorSets(device, 1, &write, 0, nullptr);
    return true;
  }

  Status init() {
    // 1. Instance and the first device with a compute queue (a GPU, or lavapipe on a headless box).
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "Lanterna";
    app.apiVersion = VK_API_VERSION_1_0;
    VkInstanceCreateInfo instanceInfo{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    instanceInfo.pApplicationInfo = &app;
    if (vkCreateInstance(&instanceInfo, nullptr, &instance) != VK_SUCCESS) return unsupported("no Vulkan driver");
    std::uint32_t count = 0;
    vkEnumeratePhysicalDevices(instance, &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    vkEnumeratePhysicalDevices(instance, &count, devices.data());
    for (VkPhysicalDevice candidate : devices) {
      std::uint32_t families = 0;
      vkGetPhysicalDeviceQueueFamilyProperties(candidate, &families, nullptr);
      std::vector<VkQueueFamilyProperties> props(families);
      vkGetPhysicalDeviceQueueFamilyProperties(candidate, &families, props.data());
      for (std::uint32_t i = 0; i < families && !physical; ++i)
        if (props[i].queueFlags & VK_QUEUE_COMPUTE_BIT) { physical = candidate; queueFamily = i; }
      if (physical) break;
    }
    if (!physical) return unsupported(count ? "no device has a compute queue" : "no Vulkan device");
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(physical, &props);
    name = props.deviceName;

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queueInfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queueInfo.queueFamilyIndex = queueFamily;
    queueInfo.queueCount = 1;
    queueInfo.pQueuePriorities = &priority;
    VkDeviceCreateInfo deviceInfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    deviceInfo.queueCreateInfoCount = 1;
    deviceInfo.pQueueCreateInfos = &queueInfo;
    if (vkCreateDevice(physical, &deviceInfo, nullptr, &device) != VK_SUCCESS)
      return unsupported("cannot open " + name);
    vkGetDeviceQueue(device, queueFamily, 0, &queue);

    // 2. Pipeline: three storage buffers + push constants.
    VkShaderModuleCreateInfo shaderInfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    shaderInfo.codeSize = sizeof kCompositeSpv;
    shaderInfo.pCode = kCompositeSpv;
    VkDescriptorSetLayoutBinding bindings[3];
    for (std::uint32_t i = 0; i < 3; ++i)
      bindings[i] = {i, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
    VkDescriptorSetLayoutCreateInfo setInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    setInfo.bindingCount = 3;
    setInfo.pBindings = bindings;
    VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(PushConstants)};
    VkPipelineLayoutCreateInfo layoutInfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layoutInfo.setLayoutCount = 1;
    layoutInfo.pSetLayouts = &setLayout;
    layoutInfo.pushConstantRangeCount = 1;
    layoutInfo.pPushConstantRanges = &range;
    if (vkCreateShaderModule(device, &shaderInfo, nullptr, &shader) != VK_SUCCESS ||
        vkCreateDescriptorSetLayout(device, &setInfo, nullptr, &setLayout) != VK_SUCCESS ||
        vkCreatePipelineLayout(device, &layoutInfo, nullptr, &pipelineLayout) != VK_SUCCESS)
      return unsupported("pipeline layout creation failed on " + name);
    VkComputePipelineCreateInfo pipelineInfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    pipelineInfo.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, nullptr, 0, VK_SHADER_STAGE_COMPUTE_BIT,
                          shader, "main", nullptr};
    pipelineInfo.layout = pipelineLayout;
    if (vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &pipelineInfo, nullptr, &pipeline) != VK_SUCCESS)
      return unsupported("compute pipeline creation failed on " + name);

    // 3. One descriptor set, one command buffer, one fence: reused every frame.
    VkDescriptorPoolSize poolSize{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 3};
    VkDescriptorPoolCreateInfo poolInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    poolInfo.maxSets = 1;
    poolInfo.poolSizeCount = 1;
    poolInfo.pPoolSizes = &poolSize;
    VkDescriptorSetAllocateInfo allocInfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    VkCommandPoolCreateInfo commandPoolInfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    commandPoolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    commandPoolInfo.queueFamilyIndex = queueFamily;
    VkFenceCreateInfo fenceInfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    if (vkCreateDescriptorPool(device, &poolInfo, nullptr, &pool) != VK_SUCCESS ||
        vkCreateCommandPool(device, &commandPoolInfo, nullptr, &commandPool) != VK_SUCCESS ||
        vkCreateFence(device, &fenceInfo, nullptr, &fence) != VK_SUCCESS)
      return unsupported("resource creation failed on " + name);
    allocInfo.descriptorPool = pool;
    allocInfo.descriptorSetCount = 1;
    allocInfo.pSetLayouts = &setLayout;
    VkCommandBufferAllocateInfo commandInfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    commandInfo.commandPool = commandPool;
    commandInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    commandInfo.commandBufferCount = 1;
    if (vkAllocateDescriptorSets(device, &allocInfo, &set) != VK_SUCCESS ||
        vkAllocateCommandBuffers(device, &commandInfo, &commands) != VK_SUCCESS)
      return unsupported("resource allocation failed on " + name);
    return Ok{};
  }
};

VulkanCompositor::VulkanCompositor() : state_(std::make_unique<State>()) {}
VulkanCompositor::~VulkanCompositor() = default;
const std::string& VulkanCompositor::deviceName() const { return state_->name; }

Result<std::unique_ptr<VulkanCompositor>> VulkanCompositor::create() {
  std::unique_ptr<VulkanCompositor> compositor(new VulkanCompositor());
  if (auto ready = compositor->state_->init(); !ready) return ready.error();
  return compositor;
}

Result<Frame> VulkanCompositor::compose(const CompositionFrame& plan) {
  State& s = *state_;
  if (plan.width <= 0 || plan.height <= 0)
    return makeError(ErrorKind::InvalidArgument, "Cannot composite: the output size is empty.");
  // 1. Upload every layer (8-bit RGBA, rows packed) into the sources buffer.
  std::vector<Frame> converted(plan.layers.size());
  std::vector<std::uint32_t> offsets;
  std::size_t texels = 0;
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const Layer& layer = plan.layers[i];
    if (!layer.source || layer.source->empty())
      return makeError(ErrorKind::InvalidArgument, "Cannot composite: layer " + std::to_string(i) + " has no picture.");
    if (!(layer.opacity >= 0.0f && layer.opacity <= 1.0f))
      return makeError(ErrorKind::InvalidArgument, "Cannot composite: layer " + std::to_string(i) +
                                                       " has an opacity outside 0..1.");
    if (layer.source->format != PixelFormat::Rgba8) converted[i] = convertFrame(*layer.source, PixelFormat::Rgba8);
    offsets.push_back(std::uint32_t(texels));
    texels += std::size_t(layer.source->width) * layer.source->height;
  }
  const std::size_t pixels = std::size_t(plan.width) * plan.height;
  if (!s.ensure(0, std::max<std::size_t>(texels, 1) * 4) || !s.ensure(1, pixels * 16) || !s.ensure(2, pixels * 4))
    return makeError(ErrorKind::OutOfMemory, "Cannot composite: the Vulkan device is out of memory.");
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const Frame& src = converted[i].empty() ? *plan.layers[i].source : converted[i];
    auto* dst = static_cast<std::uint8_t*>(s.buffers[0].mapped) + std::size_t(offsets[i]) * 4;
    for (int y = 0; y < src.height; ++y)
      std::memcpy(dst + std::size_t(y) * src.width * 4, src.row<std::uint8_t>(y), std::size_t(src.width) * 4);
  }

  // 2. Record: clear, one dispatch per layer, pack; a barrier between each since they share the accumulator.
  vkResetCommandBuffer(s.commands, 0);
  VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  vkBeginCommandBuffer(s.commands, &begin);
  vkCmdBindPipeline(s.commands, VK_PIPELINE_BIND_POINT_COMPUTE, s.pipeline);
  vkCmdBindDescriptorSets(s.commands, VK_PIPELINE_BIND_POINT_COMPUTE, s.pipelineLayout, 0, 1, &s.set, 0, nullptr);
  const std::uint32_t groupsX = std::uint32_t(plan.width + 15) / 16, groupsY = std::uint32_t(plan.height + 15) / 16;
  auto dispatch = [&](const PushConstants& pc) {
    vkCmdPushConstants(s.commands, s.pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof pc, &pc);
    vkCmdDispatch(s.commands, groupsX, groupsY, 1);
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(s.commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &barrier, 0, nullptr,
                         0, nullptr);
  };
  PushConstants pc{};
  std::memcpy(pc.background, plan.background.data(), sizeof pc.background);
  pc.dstSize[0] = plan.width;
  pc.dstSize[1] = plan.height;
  pc.mode = 0;
  dispatch(pc);
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const Layer& layer = plan.layers[i];
    const LayerRect rect = layoutLayer(layer.fit, layer.source->width, layer.source->height, plan.width, plan.height);
    pc.mode = 1;
    pc.rect[0] = rect.offsetX;
    pc.rect[1] = rect.offsetY;
    pc.rect[2] = rect.scaleX;
    pc.rect[3] = rect.scaleY;
    pc.srcSize[0] = layer.source->width;
    pc.srcSize[1] = layer.source->height;
    pc.srcOffset = offsets[i];
    pc.opacity = layer.opacity;
    pc.blend = layer.blend == BlendMode::Over ? 0u : 1u;
    dispatch(pc);
  }
  pc.mode = 2;
  dispatch(pc);
  vkEndCommandBuffer(s.commands);

  // 3. Submit, wait, read back.
  VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &s.commands;
  vkResetFences(s.device, 1, &s.fence);
  if (vkQueueSubmit(s.queue, 1, &submit, s.fence) != VK_SUCCESS ||
      vkWaitForFences(s.device, 1, &s.fence, VK_TRUE, UINT64_MAX) != VK_SUCCESS)
    return makeError(ErrorKind::Internal, "Cannot composite: the Vulkan device " + s.name + " failed the submit.");
  Frame out = Frame::allocate(plan.width, plan.height, PixelFormat::Rgba8);
  std::memcpy(out.data.data(), s.buffers[2].mapped, out.data.size());
  return out;
}

}  // namespace lanterna::assets
