#include "latent_preview.h"

namespace lanterna::inference {

LatentPreview::LatentPreview(at::Tensor factors, at::Tensor bias)
    : factors_(std::move(factors)), bias_(std::move(bias)) {}

std::optional<LatentPreview> LatentPreview::forArchitecture(const std::string& architecture) {
  if (architecture.rfind("sd1", 0) == 0 || architecture.rfind("sd2", 0) == 0 || architecture == "svd" ||
      architecture == "animatediff") {
    // Published approximation of the SD VAE decoder's mean colour per latent channel (applied to unscaled
    // latents multiplied by the VAE scaling factor, i.e. the sampler's latents).
    const float table[4][3] = {{0.3512f, 0.2297f, 0.3227f},
                               {0.3250f, 0.4974f, 0.2350f},
                               {-0.2829f, 0.1762f, 0.2721f},
                               {-0.2120f, -0.2616f, -0.7177f}};
    at::Tensor factors = at::from_blob(const_cast<float*>(&table[0][0]), {4, 3}, at::kFloat).clone();
    return LatentPreview(factors, at::zeros({3}, at::kFloat));
  }
  return std::nullopt;
}

LatentPreview LatentPreview::fit(const at::Tensor& latents, const at::Tensor& images) {
  const auto channels = latents.size(1);
  at::Tensor small = at::adaptive_avg_pool2d(images.to(at::kFloat), {latents.size(2), latents.size(3)});
  // Rows: pixels. Columns: latent channels plus a constant for the bias.
  at::Tensor x = latents.to(at::kFloat).permute({0, 2, 3, 1}).reshape({-1, channels});
  x = at::cat({x, at::ones({x.size(0), 1}, x.options())}, 1);
  at::Tensor y = small.permute({0, 2, 3, 1}).reshape({-1, 3});
  // Normal equations with a little ridge: stable for the few thousand pixels a fit uses.
  at::Tensor gram = x.t().matmul(x) + 1e-3 * at::eye(channels + 1, x.options());
  at::Tensor solution = at::linalg_solve(gram, x.t().matmul(y));
  return LatentPreview(solution.slice(0, 0, channels).contiguous(), solution[channels].contiguous());
}

std::vector<Image> LatentPreview::render(const at::Tensor& latents, double latentScale) const {
  if (!valid()) return {};
  at::Tensor x = latents.detach().to(at::kCPU, at::kFloat) * latentScale;
  // [N,C,h,w] -> [N,h,w,C] x [C,3] -> [N,3,h,w]
  at::Tensor rgb = at::matmul(x.permute({0, 2, 3, 1}), factors_) + bias_;
  return tensorToImages(rgb.permute({0, 3, 1, 2}));
}

std::vector<Image> tensorToImages(const at::Tensor& images) {
  at::Tensor bytes = ((images.detach().to(at::kCPU, at::kFloat) + 1.0) * 127.5)
                         .round()
                         .clamp(0, 255)
                         .to(at::kByte)
                         .permute({0, 2, 3, 1})
                         .contiguous();
  std::vector<Image> out;
  const auto count = bytes.size(0), height = bytes.size(1), width = bytes.size(2);
  for (int64_t i = 0; i < count; ++i) {
    Image image;
    image.width = static_cast<int>(width);
    image.height = static_cast<int>(height);
    const uint8_t* data = bytes[i].data_ptr<uint8_t>();
    image.rgb.assign(data, data + width * height * 3);
    out.push_back(std::move(image));
  }
  return out;
}

at::Tensor imageToTensor(const Image& image) {
  at::Tensor bytes = at::from_blob(const_cast<uint8_t*>(image.rgb.data()), {1, image.height, image.width, 3},
                                   at::kByte);
  return bytes.permute({0, 3, 1, 2}).to(at::kFloat).div(127.5).sub(1.0).contiguous();
}

}  // namespace lanterna::inference
