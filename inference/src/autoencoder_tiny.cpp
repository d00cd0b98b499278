#include "autoencoder_tiny.h"

namespace lanterna::inference {
namespace {

std::vector<int64_t> listOr(const nlohmann::json& json, const char* field, std::vector<int64_t> fallback) {
  return json.contains(field) ? json[field].get<std::vector<int64_t>>() : fallback;
}

}  // namespace

TinyVaeConfig TinyVaeConfig::fromJson(const nlohmann::json& json) {
  TinyVaeConfig c;
  c.inChannels = json.value("in_channels", 3);
  c.outChannels = json.value("out_channels", 3);
  c.encoderChannels = listOr(json, "encoder_block_out_channels", c.encoderChannels);
  c.decoderChannels = listOr(json, "decoder_block_out_channels", c.decoderChannels);
  c.encoderBlocks = listOr(json, "num_encoder_blocks", c.encoderBlocks);
  c.decoderBlocks = listOr(json, "num_decoder_blocks", c.decoderBlocks);
  c.latentChannels = json.value("latent_channels", 4);
  c.latentMagnitude = json.value("latent_magnitude", 3.0);
  if (json.value("act_fn", std::string("relu")) != "relu")
    throw WeightsError("TAESD config: only the ReLU activation is supported.");
  if (c.encoderChannels.size() != c.encoderBlocks.size() || c.decoderChannels.size() != c.decoderBlocks.size())
    throw WeightsError("TAESD config: block channel and block count lists differ in length.");
  return c;
}

at::Tensor AutoencoderTiny::Block::operator()(const at::Tensor& x) const {
  at::Tensor h = conv4(at::relu(conv2(at::relu(conv0(x)))));
  return at::relu(h + (hasSkip ? skip(x) : x));
}

AutoencoderTiny AutoencoderTiny::load(const TinyVaeConfig& config, const Weights& w) {
  AutoencoderTiny vae;
  vae.config_ = config;
  int index = 0;
  auto name = [](const std::string& side, int i) { return side + ".layers." + std::to_string(i); };
  auto block = [&](const std::string& side, int i, int64_t in, int64_t out) {
    Block b;
    const std::string p = name(side, i) + ".conv.";
    b.conv0 = Conv2d::load(w, p + "0", out, in, 3);
    b.conv2 = Conv2d::load(w, p + "2", out, out, 3);
    b.conv4 = Conv2d::load(w, p + "4", out, out, 3);
    b.hasSkip = in != out;
    if (b.hasSkip) b.skip = Conv2d::load(w, name(side, i) + ".skip", out, in, 1, 1, 0, false);
    return Layer{Op::Block, {}, b};
  };

  // Encoder: conv to the first width, then per level a stride-2 conv (no bias) except the first, then blocks.
  int64_t channels = config.inChannels;
  for (size_t level = 0; level < config.encoderChannels.size(); ++level) {
    const int64_t out = config.encoderChannels[level];
    if (level == 0)
      vae.encoderLayers_.push_back({Op::Conv, Conv2d::load(w, name("encoder", index++), out, channels, 3), {}});
    else
      vae.encoderLayers_.push_back(
          {Op::Conv, Conv2d::load(w, name("encoder", index++), out, channels, 3, 2, 1, false), {}});
    channels = out;
    for (int64_t b = 0; b < config.encoderBlocks[level]; ++b) vae.encoderLayers_.push_back(block("encoder", index++, out, out));
  }
  vae.encoderLayers_.push_back(
      {Op::Conv, Conv2d::load(w, name("encoder", index++), config.latentChannels, channels, 3), {}});

  // Decoder: conv + ReLU (index 0, 1), then per level blocks, upsample and conv (no bias) except the last level,
  // whose final conv (with bias) maps to the output channels.
  index = 0;
  channels = config.decoderChannels[0];
  vae.decoderLayers_.push_back(
      {Op::ConvRelu, Conv2d::load(w, name("decoder", index), channels, config.latentChannels, 3), {}});
  index += 2;
  const size_t levels = config.decoderChannels.size();
  for (size_t level = 0; level < levels; ++level) {
    const bool last = level + 1 == levels;
    const int64_t width = config.decoderChannels[level];
    for (int64_t b = 0; b < config.decoderBlocks[level]; ++b) {
      vae.decoderLayers_.push_back(block("decoder", index++, channels, width));
      channels = width;
    }
    if (!last) {
      vae.decoderLayers_.push_back({Op::Upsample, {}, {}});
      ++index;
    }
    const int64_t out = last ? config.outChannels : width;
    vae.decoderLayers_.push_back({Op::Conv, Conv2d::load(w, name("decoder", index++), out, channels, 3, 1, 1, last), {}});
    channels = out;
  }
  return vae;
}

at::Tensor AutoencoderTiny::run(const std::vector<Layer>& layers, at::Tensor x) {
  for (const auto& layer : layers) {
    switch (layer.op) {
      case Op::Conv: x = layer.conv(x); break;
      case Op::ConvRelu: x = at::relu(layer.conv(x)); break;
      case Op::Block: x = layer.block(x); break;
      case Op::Upsample: x = at::upsample_nearest2d(x, {x.size(2) * 2, x.size(3) * 2}); break;
    }
  }
  return x;
}

at::Tensor AutoencoderTiny::encode(const at::Tensor& image) const {
  // TAESD works on [0, 1] images; diffusers' convention is [-1, 1].
  return run(encoderLayers_, image.to(device(), dtype()).add(1).div(2));
}

at::Tensor AutoencoderTiny::decode(const at::Tensor& latent) const {
  const double m = config_.latentMagnitude;
  at::Tensor x = latent.to(device(), dtype()).div(m).tanh().mul(m);
  return run(decoderLayers_, x).mul(2).sub(1);
}

}  // namespace lanterna::inference
