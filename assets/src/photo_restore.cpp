// Four passes, each gated by a measurement so that a clean photo passes through untouched:
// 1. denoise (non-local means, strength from the estimated noise), 2. dust and scratches (thin bright or dark
// defects found by top-hat / black-hat, filled by inpainting), 3. contrast (CLAHE on L, as much as the print is
// faded), 4. white balance (part of the mean a/b cast removed in Lab).
#include "lanterna/assets/photo_restore.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <opencv2/imgproc.hpp>
#include <opencv2/photo.hpp>

namespace lanterna::assets {
namespace {

constexpr double kMinNoiseSigma = 1.5;        // below: sensor/scan noise nobody sees; do not smooth detail away
constexpr double kNlmPerSigma = 1.2;          // fastNlMeans' h per unit of noise sigma
constexpr double kMaxNlmStrength = 25.0;
constexpr double kMinDefectContrast = 28.0;   // grey levels a speck must stand out from its surroundings
constexpr double kDefectPerSigma = 5.0;       // ... and at least this many residual noise sigmas
constexpr int kDefectKernelDivisor = 48;      // defects are thinner than 1/48 of the short side (at least 7 px)
constexpr double kFullRangeL = 200.0;         // L spread (8-bit Lab, 1st..99th percentile) of a well exposed print
constexpr double kFadedSpanL = 100.0;         // spread this much narrower gets the full CLAHE
constexpr double kMaxLevelsGain = 2.5;
constexpr double kMinCast = 4.0;              // mean |a,b| (Lab units) below which colours count as neutral
constexpr double kCastRemoved = 0.7;          // mild: keep part of the cast, old prints are warm on purpose

// Immerkaer's fast noise estimate: the mean absolute response of a Laplacian difference, which cancels smooth
// shading and leaves noise.
double noiseSigma(const cv::Mat& gray) {
  if (gray.rows < 3 || gray.cols < 3) return 0.0;
  const cv::Mat kernel = (cv::Mat_<float>(3, 3) << 1, -2, 1, -2, 4, -2, 1, -2, 1);
  cv::Mat response;
  cv::filter2D(gray, response, CV_32F, kernel, {-1, -1}, 0, cv::BORDER_REFLECT);
  const cv::Mat inner = cv::abs(response(cv::Rect(1, 1, gray.cols - 2, gray.rows - 2)));
  return std::sqrt(CV_PI / 2.0) / 6.0 * cv::mean(inner)[0];
}

cv::Mat grayOf(const cv::Mat& bgr) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  return gray;
}

void denoise(cv::Mat& bgr, float strength) {
  const double sigma = noiseSigma(grayOf(bgr));
  if (strength <= 0.0f || sigma < kMinNoiseSigma) return;
  const float h = float(std::min(kMaxNlmStrength, kNlmPerSigma * sigma * strength));
  // Larger pictures get a smaller search window: the cost grows with its area, the benefit does not.
  const int shortSide = std::min(bgr.cols, bgr.rows);
  const int search = shortSide > 1024 ? 13 : 21;
  cv::Mat out;
  cv::fastNlMeansDenoisingColored(bgr, out, h, h, 7, search);
  bgr = out;
}

void removeDustAndScratches(cv::Mat& bgr) {
  const cv::Mat gray = grayOf(bgr);
  const int side = std::max(7, std::min(bgr.cols, bgr.rows) / kDefectKernelDivisor) | 1;
  const cv::Mat kernel = cv::getStructuringElement(cv::MORPH_ELLIPSE, {side, side});
  cv::Mat bright, dark;
  cv::morphologyEx(gray, bright, cv::MORPH_TOPHAT, kernel);   // thinner and lighter than the surroundings
  cv::morphologyEx(gray, dark, cv::MORPH_BLACKHAT, kernel);   // thinner and darker
  const double threshold = std::max(kMinDefectContrast, kDefectPerSigma * noiseSigma(gray));
  cv::Mat mask = (bright > threshold) | (dark > threshold);
  if (cv::countNonZero(mask) == 0) return;
  // The defect's soft rim is below the threshold but still visible: grow the mask a little before filling.
  cv::dilate(mask, mask, cv::getStructuringElement(cv::MORPH_ELLIPSE, {5, 5}));
  cv::Mat out;
  cv::inpaint(bgr, mask, out, 3.0, cv::INPAINT_TELEA);
  bgr = out;
}

double percentile(const cv::Mat& channel8, double fraction) {
  int histogram[256] = {};
  for (int y = 0; y < channel8.rows; ++y) {
    const auto* row = channel8.ptr<std::uint8_t>(y);
    for (int x = 0; x < channel8.cols; ++x) ++histogram[row[x]];
  }
  const double wanted = fraction * double(channel8.total());
  double seen = 0.0;
  for (int v = 0; v < 256; ++v)
    if ((seen += histogram[v]) >= wanted) return v;
  return 255.0;
}

void correctTone(cv::Mat& bgr, const PhotoRestoreOptions& options) {
  cv::Mat lab;
  cv::cvtColor(bgr, lab, cv::COLOR_BGR2Lab);
  std::vector<cv::Mat> channels;
  cv::split(lab, channels);

  const double low = percentile(channels[0], 0.01);
  const double spread = percentile(channels[0], 0.99) - low;
  const double fade = options.enhanceContrast ? std::clamp((kFullRangeL - spread) / kFadedSpanL, 0.0, 1.0) : 0.0;
  const cv::Scalar mean = cv::mean(lab);
  const double castA = mean[1] - 128.0, castB = mean[2] - 128.0;
  const bool cast = options.balanceWhite && std::hypot(castA, castB) > kMinCast;
  if (fade <= 0.0 && !cast) return;  // no Lab round trip (and its rounding) for a photo that needs nothing

  if (fade > 0.0) {
    // Levels first (the faded span back towards a full one, around its own middle, gain capped so a flat
    // picture is not blown up), then CLAHE for the local contrast a print loses.
    const double gain = std::min(kMaxLevelsGain, kFullRangeL / std::max(spread, 1.0));
    const double half = spread * gain / 2.0;
    const double middle = std::clamp(low + spread / 2.0, half, 255.0 - half);
    cv::Mat stretched, equalised;
    channels[0].convertTo(stretched, -1, gain, middle - (low + spread / 2.0) * gain);
    cv::createCLAHE(2.0, {8, 8})->apply(stretched, equalised);
    cv::addWeighted(channels[0], 1.0 - fade, equalised, fade, 0.0, channels[0]);
  }
  if (cast) {
    channels[1].convertTo(channels[1], -1, 1.0, -kCastRemoved * castA);
    channels[2].convertTo(channels[2], -1, 1.0, -kCastRemoved * castB);
  }
  cv::merge(channels, lab);
  cv::cvtColor(lab, bgr, cv::COLOR_Lab2BGR);
}

}  // namespace

Frame restorePhoto(const Frame& source, const PhotoRestoreOptions& options) {
  if (source.empty()) return source;
  const Frame rgba = source.format == PixelFormat::Rgba8 ? source : convertFrame(source, PixelFormat::Rgba8);
  const cv::Mat wrapped(rgba.height, rgba.width, CV_8UC4, const_cast<std::uint8_t*>(rgba.data.data()),
                        rgba.strideBytes);
  cv::Mat bgr;
  cv::cvtColor(wrapped, bgr, cv::COLOR_RGBA2BGR);

  if (options.denoise) denoise(bgr, options.denoiseStrength);
  if (options.removeDustAndScratches) removeDustAndScratches(bgr);
  if (options.enhanceContrast || options.balanceWhite) correctTone(bgr, options);

  Frame out = Frame::allocate(rgba.width, rgba.height, PixelFormat::Rgba8);
  cv::Mat result(out.height, out.width, CV_8UC4, out.data.data(), out.strideBytes);
  cv::cvtColor(bgr, result, cv::COLOR_BGR2RGBA);
  for (int y = 0; y < out.height; ++y) {  // alpha is not the restorer's business
    const auto* from = rgba.row<std::uint8_t>(y);
    auto* to = out.row<std::uint8_t>(y);
    for (int x = 0; x < out.width; ++x) to[4 * x + 3] = from[4 * x + 3];
  }
  return out;
}

}  // namespace lanterna::assets
