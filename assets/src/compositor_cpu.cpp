// The reference compositor. shaders/composite.comp mirrors this arithmetic step for step; keep them in sync.
#include "lanterna/assets/compositor.h"

#include "compositor_layout.h"

#include <cmath>

namespace lanterna::assets {
namespace {

struct Rgba { float r, g, b, a; };

// Premultiplied texel, so bilinear filtering does not bleed colour out of transparent pixels.
Rgba texel(const Frame& f, int x, int y) {
  x = std::clamp(x, 0, f.width - 1);
  y = std::clamp(y, 0, f.height - 1);
  const std::uint8_t* p = f.row<std::uint8_t>(y) + 4 * x;
  const float a = p[3] / 255.0f;
  return {p[0] / 255.0f * a, p[1] / 255.0f * a, p[2] / 255.0f * a, a};
}

Rgba sampleBilinear(const Frame& f, float u, float v) {
  const float fx = std::floor(u), fy = std::floor(v);
  const int x0 = int(fx), y0 = int(fy);
  const float tx = u - fx, ty = v - fy;
  const Rgba a = texel(f, x0, y0), b = texel(f, x0 + 1, y0), c = texel(f, x0, y0 + 1), d = texel(f, x0 + 1, y0 + 1);
  auto mix = [](float p, float q, float t) { return p + (q - p) * t; };
  auto mix2 = [&](float p, float q, float r, float s) { return mix(mix(p, q, tx), mix(r, s, tx), ty); };
  return {mix2(a.r, b.r, c.r, d.r), mix2(a.g, b.g, c.g, d.g), mix2(a.b, b.b, c.b, d.b), mix2(a.a, b.a, c.a, d.a)};
}

std::uint8_t toByte(float v) { return std::uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); }

}  // namespace

CompositionFrame crossfade(const Frame& from, const Frame& to, float t, int width, int height, FitMode fit) {
  CompositionFrame plan;
  plan.width = width;
  plan.height = height;
  plan.layers = {{&from, fit, 1.0f - t, BlendMode::Over}, {&to, fit, t, BlendMode::Add}};
  return plan;
}

Result<Frame> composeCpu(const CompositionFrame& plan) {
  if (plan.width <= 0 || plan.height <= 0)
    return makeError(ErrorKind::InvalidArgument, "Cannot composite: the output size is empty.");
  std::vector<Frame> converted(plan.layers.size());
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const Layer& layer = plan.layers[i];
    if (!layer.source || layer.source->empty())
      return makeError(ErrorKind::InvalidArgument, "Cannot composite: layer " + std::to_string(i) + " has no picture.");
    if (!(layer.opacity >= 0.0f && layer.opacity <= 1.0f))
      return makeError(ErrorKind::InvalidArgument, "Cannot composite: layer " + std::to_string(i) +
                                                       " has an opacity outside 0..1.");
    if (layer.source->format != PixelFormat::Rgba8) converted[i] = convertFrame(*layer.source, PixelFormat::Rgba8);
  }

  // Accumulate in premultiplied float, starting from the background.
  const auto& bg = plan.background;
  std::vector<Rgba> acc(std::size_t(plan.width) * plan.height, Rgba{bg[0] * bg[3], bg[1] * bg[3], bg[2] * bg[3], bg[3]});
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const Layer& layer = plan.layers[i];
    const Frame& src = converted[i].empty() ? *layer.source : converted[i];
    const LayerRect rect = layoutLayer(layer.fit, src.width, src.height, plan.width, plan.height);
    for (int y = 0; y < plan.height; ++y) {
      const float py = float(y) + 0.5f;
      if (py < rect.offsetY || py >= rect.offsetY + src.height * rect.scaleY) continue;
      const float v = (py - rect.offsetY) / rect.scaleY - 0.5f;
      for (int x = 0; x < plan.width; ++x) {
        const float px = float(x) + 0.5f;
        if (px < rect.offsetX || px >= rect.offsetX + src.width * rect.scaleX) continue;
        const Rgba s = sampleBilinear(src, (px - rect.offsetX) / rect.scaleX - 0.5f, v);
        Rgba& d = acc[std::size_t(y) * plan.width + x];
        const float o = layer.opacity;
        const float keep = layer.blend == BlendMode::Over ? 1.0f - s.a * o : 1.0f;
        d = {s.r * o + d.r * keep, s.g * o + d.g * keep, s.b * o + d.b * keep, s.a * o + d.a * keep};
      }
    }
  }

  // Back to straight 8-bit.
  Frame out = Frame::allocate(plan.width, plan.height, PixelFormat::Rgba8);
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const Rgba& p = acc[i];
    const float a = std::clamp(p.a, 0.0f, 1.0f);
    const float inv = a > 0.0f ? 1.0f / a : 0.0f;
    std::uint8_t* o = out.data.data() + 4 * i;
    o[0] = toByte(p.r * inv);
    o[1] = toByte(p.g * inv);
    o[2] = toByte(p.b * inv);
    o[3] = toByte(a);
  }
  return out;
}

}  // namespace lanterna::assets
