#include "lanterna/ui/transport.h"

#include <algorithm>

namespace lanterna::ui {

using timeline::FrameRate;
using timeline::FrameTime;

Transport::Transport(QObject* parent) : QObject(parent) {
  timer_.setTimerType(Qt::PreciseTimer);
  connect(&timer_, &QTimer::timeout, this, &Transport::tick);
}

QString Transport::timecode() const {
  const std::int64_t fps = std::max<std::int64_t>(1, (rate_.num + rate_.den - 1) / rate_.den);
  const std::int64_t frames = playhead_.frames;
  const std::int64_t seconds = frames / fps;
  return QString("%1:%2:%3:%4")
      .arg(seconds / 3600, 2, 10, QChar('0'))
      .arg((seconds / 60) % 60, 2, 10, QChar('0'))
      .arg(seconds % 60, 2, 10, QChar('0'))
      .arg(frames % fps, 2, 10, QChar('0'));
}

void Transport::setFrameRate(FrameRate rate) {
  if (!rate.valid()) return;
  rate_ = rate;
  timer_.setInterval(std::max(1, static_cast<int>(1000 * rate_.den / rate_.num / 2)));
}

void Transport::setEnd(FrameTime end) { end_ = std::max(FrameTime{0}, end); }

void Transport::setPlayhead(FrameTime time) {
  time = std::max(FrameTime{0}, time);
  if (time == playhead_) return;
  playhead_ = time;
  emit playheadChanged(playhead_);
}

void Transport::play() {
  if (playing()) return;
  if (playhead_ >= end_) setPlayhead(FrameTime{0});
  playStart_ = playhead_;
  clock_.start();
  timer_.start();
  emit playingChanged(true);
}

void Transport::pause() {
  speed_ = 1;
  if (!playing()) return;
  timer_.stop();
  emit playingChanged(false);
}

void Transport::shuttleForward() { shuttle(1); }

void Transport::shuttleBackward() { shuttle(-1); }

// Pressing the same direction again doubles the speed; the other direction starts over at 1x that way.
void Transport::shuttle(int direction) {
  const bool sameWay = playing() && (speed_ > 0) == (direction > 0);
  const int speed = sameWay ? std::clamp(speed_ * 2, -kMaxShuttleSpeed, kMaxShuttleSpeed) : direction;
  if (direction < 0 && playhead_ <= FrameTime{0}) return;
  // Restart the clock from here so the new speed applies from the current frame.
  timer_.stop();
  if (direction > 0 && playhead_ >= end_) setPlayhead(FrameTime{0});
  speed_ = speed;
  playStart_ = playhead_;
  clock_.start();
  timer_.start();
  emit playingChanged(true);
}

void Transport::setInPoint() {
  inPoint_ = playhead_;
  if (outPoint_ >= FrameTime{0} && outPoint_ < inPoint_) outPoint_ = FrameTime{-1};
  emit marksChanged();
}

void Transport::setOutPoint() {
  outPoint_ = playhead_;
  if (inPoint_ > outPoint_) inPoint_ = FrameTime{-1};
  emit marksChanged();
}

void Transport::togglePlay() { playing() ? pause() : play(); }

void Transport::stepFrames(int count) { setPlayhead(playhead_ + FrameTime{count}); }

void Transport::goToStart() { setPlayhead(FrameTime{0}); }

void Transport::goToEnd() { setPlayhead(end_); }

// The frame comes from the elapsed wall time, not from counting ticks, so a late timer skips frames instead of
// drifting behind real time.
void Transport::tick() {
  const FrameTime elapsed = rate_.fromSeconds(timeline::Rational::reduced(clock_.elapsed(), 1000),
                                              timeline::Rounding::Down);
  const FrameTime next = playStart_ + FrameTime{elapsed.frames * speed_};
  if (next <= FrameTime{0} && speed_ < 0) {
    setPlayhead(FrameTime{0});
    pause();
    return;
  }
  if (next >= end_) {
    setPlayhead(end_);
    pause();
    return;
  }
  setPlayhead(next);
}

}  // namespace lanterna::ui
