// TEMPORARY: a tiny convolutional autoencoder standing in for the VAE stage until the engine's AutoencoderKL
// lands. It exists only to prove the training machinery (loop, checkpoints, resume, bit-exact reload); point
// makeStageModel's Vae case at the real model and delete this file.
#include "train_stage.h"

#include <cmath>

namespace lanterna::toy {
namespace {

at::Tensor convWeight(std::int64_t out, std::int64_t in, std::int64_t kernel) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(in * kernel * kernel));
  return (at::randn({out, in, kernel, kernel}) * scale).set_requires_grad(true);
}

at::Tensor bias(std::int64_t size) { return at::zeros({size}).set_requires_grad(true); }

class PlaceholderAutoencoder final : public StageModel {
 public:
  PlaceholderAutoencoder() {
    // 128 -> 64 -> 32 (4 latent channels) -> 64 -> 128: the shape of a factor-4 VAE, nothing more.
    add("encoder.conv1.weight", convWeight(8, 3, 3));
    add("encoder.conv1.bias", bias(8));
    add("encoder.conv2.weight", convWeight(4, 8, 3));
    add("encoder.conv2.bias", bias(4));
    add("decoder.conv1.weight", convWeight(8, 4, 3));
    add("decoder.conv1.bias", bias(8));
    add("decoder.conv2.weight", convWeight(3, 8, 3));
    add("decoder.conv2.bias", bias(3));
  }

  std::vector<std::pair<std::string, at::Tensor>> namedParameters() override { return parameters_; }

  ToyBatch batch(const ToyDataset& data, std::int64_t step, std::int64_t batchSize) override {
    return data.imageBatch(step, batchSize);
  }

  at::Tensor loss(const ToyBatch& batch) override {
    at::Tensor x = at::silu(at::conv2d(batch.images, p(0), p(1), 2, 1));
    x = at::conv2d(x, p(2), p(3), 2, 1);
    x = at::upsample_nearest2d(x, {64, 64});
    x = at::silu(at::conv2d(x, p(4), p(5), 1, 1));
    x = at::upsample_nearest2d(x, {128, 128});
    x = at::conv2d(x, p(6), p(7), 1, 1);
    return at::mse_loss(x, batch.images);
  }

 private:
  void add(std::string name, at::Tensor tensor) { parameters_.emplace_back(std::move(name), std::move(tensor)); }
  const at::Tensor& p(std::size_t i) const { return parameters_[i].second; }

  std::vector<std::pair<std::string, at::Tensor>> parameters_;
};

}  // namespace

std::unique_ptr<StageModel> makePlaceholderAutoencoder() { return std::make_unique<PlaceholderAutoencoder>(); }

}  // namespace lanterna::toy
