// Interpolation by forward splatting of flow: every pixel of `a` moves t of its way along a->b, every pixel of `b`
// moves 1 - t of its way back along b->a. Splatting (rather than sampling the flow at the target pixel) puts a
// moving object where it is at t even when it moved further than its own size; where two pixels land on the same
// spot, the one whose colour agrees with where its flow points wins (it is the one still visible), and a moving
// one beats a still one on a tie (things in front move over the background). Holes left by splatting (areas that
// are uncovered between a and b) are filled from the other frame's warp.
#include "lanterna/assets/frame_interpolation.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lanterna::assets {
namespace {

constexpr int kFlowMaxSide = 640;         // flow is computed at most this large and scaled up: DIS is the cost
constexpr float kMovingBonus = 0.5f;      // colour-error levels per pixel of motion, breaks ties for movers
constexpr float kUntrusted = 3 * 255.0f + 1;   // worse than any colour error
constexpr float kUnreliable = std::numeric_limits<float>::infinity();

cv::Mat wrap(const Frame& frame) {
  return cv::Mat(frame.height, frame.width, CV_8UC4, const_cast<std::uint8_t*>(frame.data.data()), frame.strideBytes);
}

Frame eightBit(const Frame& frame) {
  return frame.format == PixelFormat::Rgba8 ? frame : convertFrame(frame, PixelFormat::Rgba8);
}

// Flow from `from` to `to` in full-resolution pixels, CV_32FC2 of the frames' size.
cv::Mat denseFlow(const cv::Mat& from, const cv::Mat& to) {
  const double scale = std::min(1.0, double(kFlowMaxSide) / std::max(from.cols, from.rows));
  cv::Mat grayFrom, grayTo;
  cv::cvtColor(from, grayFrom, cv::COLOR_RGBA2GRAY);
  cv::cvtColor(to, grayTo, cv::COLOR_RGBA2GRAY);
  if (scale < 1.0) {
    cv::resize(grayFrom, grayFrom, {}, scale, scale, cv::INTER_AREA);
    cv::resize(grayTo, grayTo, {}, scale, scale, cv::INTER_AREA);
  }
  cv::Mat flow;
  // Small patches on every pyramid level: the medium preset alone loses a small object's motion over a flat
  // background when it moves further than its patch stride allows at the coarse levels.
  auto dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_MEDIUM);
  dis->setPatchSize(8);
  dis->setPatchStride(2);
  dis->setFinestScale(0);
  dis->setGradientDescentIterations(25);
  dis->calc(grayFrom, grayTo, flow);
  if (scale < 1.0) {
    cv::resize(flow, flow, from.size(), 0, 0, cv::INTER_LINEAR);
    flow *= 1.0 / scale;
  }
  return flow;
}

float colourError(const cv::Vec4b& p, const cv::Vec4b& q) {
  return float(std::abs(p[0] - q[0]) + std::abs(p[1] - q[1]) + std::abs(p[2] - q[2]));
}

// Moves `source` a fraction `t` along `flow` (source -> other). Returns the warped picture; `covered` is 255 where
// some source pixel landed.
cv::Mat splatWarp(const cv::Mat& source, const cv::Mat& other, const cv::Mat& flow, const cv::Mat& backFlow,
                  float t, cv::Mat& covered) {
  const int w = source.cols, h = source.rows;
  cv::Mat cost(h, w, CV_32F, cv::Scalar(kUnreliable));
  cv::Mat map(h, w, CV_32FC2);  // where to sample `source` for each target pixel
  for (int y = 0; y < h; ++y) {
    const auto* f = flow.ptr<cv::Vec2f>(y);
    const auto* s = source.ptr<cv::Vec4b>(y);
    for (int x = 0; x < w; ++x) {
      cv::Vec2f d = f[x];
      const int ox = int(std::lround(x + d[0])), oy = int(std::lround(y + d[1]));
      float error = kUntrusted;  // leaves the frame: kept, but anything seen in both frames beats it
      if (ox >= 0 && oy >= 0 && ox < w && oy < h) {
        // Forward/backward check: flow that does not come back to where it started is not trusted, and the pixel
        // stays where it is (most of a generated frame is still background) behind anything trusted.
        const cv::Vec2f back = backFlow.at<cv::Vec2f>(oy, ox);
        const float slack = 1.5f + 0.1f * std::hypot(d[0], d[1]);
        if (std::hypot(d[0] + back[0], d[1] + back[1]) > slack)
          d = cv::Vec2f(0, 0);
        else
          error = colourError(s[x], other.at<cv::Vec4b>(oy, ox)) - kMovingBonus * std::hypot(d[0], d[1]);
      }
      const float tx = x + t * d[0], ty = y + t * d[1];
      const int x0 = int(std::floor(tx)), y0 = int(std::floor(ty));
      for (int qy = y0; qy <= y0 + 1; ++qy)
        for (int qx = x0; qx <= x0 + 1; ++qx) {
          if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
          float& best = cost.at<float>(qy, qx);
          if (error >= best) continue;
          best = error;
          map.at<cv::Vec2f>(qy, qx) = cv::Vec2f(qx - t * d[0], qy - t * d[1]);
        }
    }
  }
  covered = cost != kUnreliable;  // 255 where set
  map.setTo(cv::Scalar(-1, -1), ~covered);
  cv::Mat warped;
  cv::remap(source, warped, map, cv::noArray(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return warped;
}

}  // namespace

Frame crossBlendFrames(const Frame& a, const Frame& b, double t) {
  const Frame first = eightBit(a);
  Frame second = eightBit(b);
  if (second.width != first.width || second.height != first.height) second = scaleFrame(second, first.width, first.height);
  Frame out = Frame::allocate(first.width, first.height, PixelFormat::Rgba8);
  cv::addWeighted(wrap(first), 1.0 - t, wrap(second), t, 0.0, wrap(out));
  return out;
}

struct FrameInterpolator::Impl {
  Frame first, second;  // the pair the flows belong to
  cv::Mat flowAb, flowBa;
  bool reused = false;
};

FrameInterpolator::FrameInterpolator() : impl_(std::make_unique<Impl>()) {}
FrameInterpolator::FrameInterpolator(FrameInterpolator&&) noexcept = default;
FrameInterpolator& FrameInterpolator::operator=(FrameInterpolator&&) noexcept = default;
FrameInterpolator::~FrameInterpolator() = default;
bool FrameInterpolator::reusedFlow() const { return impl_->reused; }

Frame FrameInterpolator::interpolate(const Frame& a, const Frame& b, double t) {
  t = std::clamp(t, 0.0, 1.0);
  impl_->reused = false;
  const Frame first = eightBit(a);
  Frame second = eightBit(b);
  if (second.width != first.width || second.height != first.height) return crossBlendFrames(first, second, t);
  if (t == 0.0 || first.empty()) return first;
  if (t == 1.0) return second;
  try {
    const cv::Mat ma = wrap(first), mb = wrap(second);
    // Comparing the bytes costs far less than two flows, and unlike pointers it cannot be fooled by a reused buffer.
    impl_->reused = impl_->first.data == first.data && impl_->second.data == second.data && !impl_->flowAb.empty();
    if (!impl_->reused) {
      impl_->flowAb = denseFlow(ma, mb);
      impl_->flowBa = denseFlow(mb, ma);
      impl_->first = first;
      impl_->second = second;
    }
    const cv::Mat& flowAb = impl_->flowAb;
    const cv::Mat& flowBa = impl_->flowBa;
    cv::Mat coveredA, coveredB;
    const cv::Mat warpA = splatWarp(ma, mb, flowAb, flowBa, float(t), coveredA);
    const cv::Mat warpB = splatWarp(mb, ma, flowBa, flowAb, float(1.0 - t), coveredB);
    Frame out = Frame::allocate(first.width, first.height, PixelFormat::Rgba8);
    for (int y = 0; y < first.height; ++y) {
      const auto* pa = warpA.ptr<cv::Vec4b>(y);
      const auto* pb = warpB.ptr<cv::Vec4b>(y);
      const auto* ra = ma.ptr<cv::Vec4b>(y);
      const auto* rb = mb.ptr<cv::Vec4b>(y);
      const auto* ca = coveredA.ptr<std::uint8_t>(y);
      const auto* cb = coveredB.ptr<std::uint8_t>(y);
      auto* o = out.row<std::uint8_t>(y);
      for (int x = 0; x < first.width; ++x) {
        double wa = ca[x] ? 1.0 - t : 0.0, wb = cb[x] ? t : 0.0;
        const cv::Vec4b *sa = &pa[x], *sb = &pb[x];
        if (wa + wb == 0.0) wa = 1.0 - t, wb = t, sa = &ra[x], sb = &rb[x];  // neither warp reached it: cross-blend
        for (int c = 0; c < 4; ++c) o[4 * x + c] = cv::saturate_cast<std::uint8_t>(((*sa)[c] * wa + (*sb)[c] * wb) / (wa + wb));
      }
    }
    return out;
  } catch (const cv::Exception&) {
    impl_->flowAb.release();
    return crossBlendFrames(first, second, t);  // flow failed outright: a blend still plays
  }
}

Frame interpolateFrames(const Frame& a, const Frame& b, double t) { return FrameInterpolator().interpolate(a, b, t); }

}  // namespace lanterna::assets
