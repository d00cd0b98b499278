#include "lanterna/assets/toy_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>

#include <opencv2/imgproc.hpp>

namespace lanterna::assets {
namespace {

constexpr std::array<const char*, 8> kColours = {"red", "green", "blue", "yellow", "white", "black", "orange", "purple"};
constexpr std::array<const char*, 3> kShapes = {"circle", "square", "triangle"};
constexpr std::array<const char*, 9> kPositions = {"top left", "top",         "top right", "left",        "center",
                                                   "right",    "bottom left", "bottom",    "bottom right"};
constexpr std::array<const char*, 6> kMotions = {"moving left", "moving right", "moving up",
                                                 "moving down", "growing",      "shrinking"};
// At 128x128; thresholds scale with the image width.
constexpr double kReferenceWidth = 128.0;
constexpr double kMinAreaPx = 40.0;            // below: anti-aliasing fringe or noise
constexpr double kMaxAreaFraction = 0.45;      // above: that colour is the background
constexpr double kSizeThresholdPx = 12.5;      // half-extent between small (~9) and big (~17)
constexpr double kMinTravelPx = 10.0;
constexpr double kResizeRatio = 1.6;
// The net move over the path travelled, at least: frames drawn independently end up somewhere else by chance, but
// jump back and forth on the way.
constexpr double kMinSteadiness = 0.6;

template <std::size_t N>
bool known(const std::array<const char*, N>& words, const std::string& word) {
  return std::find_if(words.begin(), words.end(), [&](const char* w) { return word == w; }) != words.end();
}

// Hue in OpenCV's 0..180. Anti-aliased edges blend two colours into a third (red on yellow gives orange): the
// opening in blobsOf() removes those one-pixel rings.
cv::Mat colourMask(const cv::Mat& hsv, const std::string& colour) {
  auto range = [&](cv::Scalar lo, cv::Scalar hi) {
    cv::Mat part;
    cv::inRange(hsv, lo, hi, part);
    return part;
  };
  if (colour == "black") return range({0, 0, 0}, {180, 255, 60});
  if (colour == "white") return range({0, 0, 190}, {180, 50, 255});
  auto hues = [&](int lo, int hi) { return range({double(lo), 100, 90}, {double(hi), 255, 255}); };
  if (colour == "red") return cv::Mat(hues(0, 8) | hues(170, 180));
  if (colour == "orange") return hues(9, 21);
  if (colour == "yellow") return hues(22, 38);
  if (colour == "green") return hues(39, 85);
  if (colour == "blue") return hues(95, 128);
  return hues(129, 165);  // purple
}

// Fills of the smallest enclosing triangle (triangle ~0.9, circle ~0.6, square 1/2) and rectangle (square 1, circle
// pi/4): both ignore rotation. The triangle fill decides first: the opening blunts a small triangle's apex, which
// pushes its rectangle fill up to a circle's.
ToyBlob describe(const std::vector<cv::Point>& contour, double scale, int width, int height) {
  ToyBlob blob;
  const cv::Moments m = cv::moments(contour);
  blob.areaPx = static_cast<float>(m.m00);
  blob.centerX = static_cast<float>(m.m10 / m.m00 + 0.5);
  blob.centerY = static_cast<float>(m.m01 / m.m00 + 0.5);
  const cv::RotatedRect box = cv::minAreaRect(contour);
  const double boxArea = std::max(1.0, static_cast<double>(box.size.area()));
  std::vector<cv::Point2f> triangle;
  const double triangleFill = m.m00 / std::max(1.0, cv::minEnclosingTriangle(contour, triangle));
  const double boxFill = m.m00 / boxArea;
  blob.shape = triangleFill > 0.78 ? "triangle" : boxFill > 0.9 ? "square" : "circle";
  const int col = std::clamp(static_cast<int>(blob.centerX * 3 / width), 0, 2);
  const int row = std::clamp(static_cast<int>(blob.centerY * 3 / height), 0, 2);
  blob.position = kPositions[row * 3 + col];
  // The bounding box runs through pixel centres: add half a pixel back to each side.
  blob.size = std::sqrt(boxArea) / 2 + 0.5 > kSizeThresholdPx * scale ? "big" : "small";
  return blob;
}

// Blobs of one colour, largest first.
std::vector<ToyBlob> blobsOf(const RgbImageView& image, const std::string& colour) {
  const cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb));
  cv::Mat hsv;
  cv::cvtColor(rgb, hsv, cv::COLOR_RGB2HSV);
  cv::Mat mask = colourMask(hsv, colour);
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, {3, 3}));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  const double scale = image.width / kReferenceWidth;
  const double imageArea = static_cast<double>(image.width) * image.height;
  std::vector<ToyBlob> blobs;
  for (const auto& contour : contours) {
    const double area = cv::contourArea(contour);
    if (area < kMinAreaPx * scale * scale || area > kMaxAreaFraction * imageArea) continue;
    blobs.push_back(describe(contour, scale, image.width, image.height));
  }
  std::sort(blobs.begin(), blobs.end(), [](const ToyBlob& a, const ToyBlob& b) { return a.areaPx > b.areaPx; });
  return blobs;
}

bool matches(const std::string& wanted, const std::string& seen) { return wanted.empty() || wanted == seen; }

Status checkImage(const RgbImageView& image) {
  if (!image.rgb || image.width < 8 || image.height < 8)
    return makeError(ErrorKind::InvalidArgument, "The toy detector needs an RGB image of at least 8x8 pixels.");
  return Ok{};
}

Error unknownWord(const std::string& what, const std::string& word) {
  return makeError(ErrorKind::InvalidArgument, "The toy detector knows no " + what + " \"" + word + "\".");
}

std::string describeSeen(const ToyBlob& b) { return b.size + " " + b.shape + " at " + b.position; }

// The quantities a motion changes, per tracked frame.
double logArea(const ToyBlob& blob) { return std::log(std::max(1.0f, blob.areaPx)); }
double centreX(const ToyBlob& blob) { return blob.centerX; }
double centreY(const ToyBlob& blob) { return blob.centerY; }

// |last - first| of a quantity over its path through every frame: 1 when it changes monotonically.
double steadiness(const std::vector<ToyBlob>& track, double (*quantity)(const ToyBlob&)) {
  double path = 0;
  for (std::size_t i = 1; i < track.size(); ++i) path += std::abs(quantity(track[i]) - quantity(track[i - 1]));
  return path > 0 ? std::abs(quantity(track.back()) - quantity(track.front())) / path : 1.0;
}

}  // namespace

Result<ToyDetection> detectToyShape(const RgbImageView& image, const ToyTarget& target) {
  if (Status ok = checkImage(image); !ok) return ok.error();
  if (!known(kColours, target.colour)) return unknownWord("colour", target.colour);
  if (!target.shape.empty() && !known(kShapes, target.shape)) return unknownWord("shape", target.shape);
  if (!target.position.empty() && !known(kPositions, target.position)) return unknownWord("position", target.position);
  if (!target.size.empty() && target.size != "small" && target.size != "big") return unknownWord("size", target.size);

  ToyDetection detection;
  const std::vector<ToyBlob> blobs = blobsOf(image, target.colour);
  if (blobs.empty()) {
    detection.reason = "no " + target.colour + " shape in the image";
    return detection;
  }
  for (const ToyBlob& blob : blobs)
    if (matches(target.shape, blob.shape) && matches(target.position, blob.position) && matches(target.size, blob.size)) {
      detection.found = true;
      detection.blob = blob;
      return detection;
    }
  detection.blob = blobs.front();
  detection.reason = "the " + target.colour + " shape is a " + describeSeen(blobs.front());
  return detection;
}

Result<ToyMotionDetection> detectToyMotion(const std::vector<RgbImageView>& frames, const ToyClipTarget& target) {
  if (frames.size() < 2) return makeError(ErrorKind::InvalidArgument, "A motion needs at least two frames.");
  for (const RgbImageView& frame : frames)
    if (Status ok = checkImage(frame); !ok) return ok.error();
  if (!known(kColours, target.colour)) return unknownWord("colour", target.colour);
  if (!target.shape.empty() && !known(kShapes, target.shape)) return unknownWord("shape", target.shape);
  if (!known(kMotions, target.motion)) return unknownWord("motion", target.motion);

  ToyMotionDetection detection;
  int shapeVotes = 0;
  for (const RgbImageView& frame : frames) {
    const std::vector<ToyBlob> blobs = blobsOf(frame, target.colour);
    if (blobs.empty()) continue;
    detection.track.push_back(blobs.front());
    shapeVotes += matches(target.shape, blobs.front().shape) ? 1 : 0;
  }
  // A shape that comes and goes is not a tracked motion.
  if (detection.track.size() * 4 < frames.size() * 3) {
    detection.reason = "the " + target.colour + " shape is missing from most frames";
    return detection;
  }
  const ToyBlob& first = detection.track.front();
  const ToyBlob& last = detection.track.back();
  const double dx = last.centerX - first.centerX, dy = last.centerY - first.centerY;
  const double growth = last.areaPx / std::max(1.0f, first.areaPx);
  double (*changed)(const ToyBlob&) = nullptr;  // the quantity the motion changes; none when static
  if (growth > kResizeRatio || growth < 1.0 / kResizeRatio) {
    detection.motion = growth > 1 ? "growing" : "shrinking";
    changed = logArea;
  } else if (std::max(std::abs(dx), std::abs(dy)) < kMinTravelPx * frames.front().width / kReferenceWidth) {
    detection.motion = "static";
  } else if (std::abs(dx) >= std::abs(dy)) {
    detection.motion = dx < 0 ? "moving left" : "moving right";
    changed = centreX;
  } else {
    detection.motion = dy < 0 ? "moving up" : "moving down";
    changed = centreY;
  }
  std::string detail;  // for the reason: where an unsteady shape ends up
  if (const double steady = changed ? steadiness(detection.track, changed) : 1.0; steady < kMinSteadiness) {
    char text[96];
    std::snprintf(text, sizeof text, " (it ends up %s, over a path %.1fx as long)", detection.motion.c_str(),
                  1.0 / std::max(steady, 1e-3));
    detail = text;
    detection.motion = "jumping about";
  }

  if (shapeVotes * 2 <= static_cast<int>(detection.track.size())) {
    std::map<std::string, int> seen;
    for (const ToyBlob& blob : detection.track) ++seen[blob.shape];
    const auto most = std::max_element(seen.begin(), seen.end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    detection.reason = "the " + target.colour + " shape is mostly a " + most->first + ", not a " + target.shape;
    return detection;
  }
  detection.found = detection.motion == target.motion;
  if (!detection.found) detection.reason = "the " + target.colour + " shape is " + detection.motion + detail;
  return detection;
}

}  // namespace lanterna::assets
