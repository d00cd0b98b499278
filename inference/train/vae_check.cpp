#include "vae_check.h"

#include <c10/core/GradMode.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "autoencoder_kl.h"
#include "toy_dataset.h"
#include "train_stage.h"

namespace lanterna::toy {
namespace {

constexpr std::uint64_t kCheckSeed = 1;

Image tensorToImage(const at::Tensor& chw) {
  const at::Tensor bytes = ((chw.clamp(-1, 1) + 1) * 127.5).round().to(at::kByte).permute({1, 2, 0}).contiguous();
  Image image{static_cast<int>(chw.size(2)), static_cast<int>(chw.size(1)), {}};
  image.rgb.assign(bytes.data_ptr<std::uint8_t>(), bytes.data_ptr<std::uint8_t>() + bytes.numel());
  return image;
}

// Truth and decoded side by side, as binary PPM (no image library in inference/).
Status writePair(const std::filesystem::path& file, const Image& truth, const Image& decoded) {
  std::ofstream out(file, std::ios::binary);
  out << "P6\n" << truth.width * 2 << " " << truth.height << "\n255\n";
  for (int y = 0; y < truth.height; ++y)
    for (const Image* image : {&truth, &decoded})
      out.write(reinterpret_cast<const char*>(image->rgb.data() + static_cast<std::size_t>(y) * image->width * 3),
                image->width * 3);
  if (!out) return makeError(ErrorKind::NoWriteAccess, "Could not write \"" + file.string() + "\".", file);
  return Ok{};
}

Colour nearestPaletteColour(double r, double g, double b) {
  Colour best = Colour::Red;
  double bestDistance = std::numeric_limits<double>::max();
  for (int i = 0; i < kColourCount; ++i) {
    const Rgb p = paletteColour(static_cast<Colour>(i));
    const double d = (r - p.r) * (r - p.r) + (g - p.g) * (g - p.g) + (b - p.b) * (b - p.b);
    if (d < bestDistance) bestDistance = d, best = static_cast<Colour>(i);
  }
  return best;
}

}  // namespace

Result<VaeCheck> measureToyVae(const inference::AutoencoderKL& vae, int scenes, const std::filesystem::path& outDir) {
  std::error_code error;
  if (!outDir.empty()) std::filesystem::create_directories(outDir, error);
  const at::Device device = vae.device();
  const ToyWorld world(kCheckSeed);
  c10::NoGradGuard noGrad;
  VaeCheck check;
  double psnrSum = 0, colourErrorSum = 0;
  for (int i = 0; i < scenes; ++i) {
    const ToyScene scene = world.scene(static_cast<std::uint64_t>(i), Split::Train);
    const at::Tensor input = imageToTensor(scene.image).unsqueeze(0);
    const at::Tensor output = vae.decode(vae.encode(input.to(device)).mean)[0].to(at::kCPU);
    const Image decoded = tensorToImage(output);
    const double mse = (output.clamp(-1, 1) - input[0]).pow(2).mean().item<double>() / 4.0;  // on a 0..1 scale
    psnrSum += 10.0 * std::log10(1.0 / std::max(mse, 1e-12));
    for (const ShapeTruth& shape : scene.shapes) {
      // The shape's own pixels: exactly its palette colour in the render (anti-aliased edges left out).
      const Rgb own = paletteColour(shape.colour);
      double sum[3] = {0, 0, 0};
      int count = 0;
      for (int p = 0; p < kImageSize * kImageSize; ++p) {
        const std::uint8_t* t = &scene.image.rgb[static_cast<std::size_t>(p) * 3];
        if (t[0] != own.r || t[1] != own.g || t[2] != own.b) continue;
        for (int c = 0; c < 3; ++c) sum[c] += decoded.rgb[static_cast<std::size_t>(p) * 3 + c];
        ++count;
      }
      if (count == 0) continue;  // hidden under a later shape
      const double r = sum[0] / count, g = sum[1] / count, b = sum[2] / count;
      ++check.shapes;
      check.coloursKept += nearestPaletteColour(r, g, b) == shape.colour;
      colourErrorSum += (std::abs(r - own.r) + std::abs(g - own.g) + std::abs(b - own.b)) / 3.0;
    }
    if (i < 16 && !outDir.empty())
      if (Status written = writePair(outDir / ("scene-" + std::to_string(i) + ".ppm"), scene.image, decoded); !written)
        return written.error();
  }
  check.scenes = scenes;
  check.meanPsnr = psnrSum / std::max(scenes, 1);
  check.shapeColourError = colourErrorSum / std::max(check.shapes, 1);
  return check;
}

Result<VaeCheck> checkToyVae(const std::filesystem::path& vaeRun, int scenes, const std::filesystem::path& outDir,
                             const std::function<void(const std::string&)>& log) {
  auto vae = loadTrainedVae(vaeRun, at::kCPU);
  if (!vae) return vae.error();
  auto check = measureToyVae(*vae, scenes, outDir);
  if (check && log) {
    char line[200];
    std::snprintf(line, sizeof line, "vae check: %d scenes, PSNR %.2f dB, shape colours kept %d/%d, mean colour error %.1f",
                  check->scenes, check->meanPsnr, check->coloursKept, check->shapes, check->shapeColourError);
    log(line);
  }
  return check;
}

}  // namespace lanterna::toy
