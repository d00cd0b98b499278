// The playhead and playback clock shared by the timeline and the viewer. Usage:
//   Transport transport; transport.setFrameRate(FrameRate{24, 1}); transport.setEnd(FrameTime{240});
//   connect(&transport, &Transport::playheadChanged, viewer, ...); transport.togglePlay();
// UI thread only: the clock is a QTimer on the UI event loop.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>

#include "lanterna/timeline/frame_time.h"

namespace lanterna::ui {

class Transport : public QObject {
  Q_OBJECT
 public:
  explicit Transport(QObject* parent = nullptr);

  timeline::FrameTime playhead() const { return playhead_; }
  timeline::FrameRate frameRate() const { return rate_; }
  bool playing() const { return timer_.isActive(); }
  int speed() const { return speed_; }  // playback speed multiplier: 1, 2, 4, 8 forward; -1, -2, ... backward
  // The in/out marks (I and O keys); an unset mark is negative.
  timeline::FrameTime inPoint() const { return inPoint_; }
  timeline::FrameTime outPoint() const { return outPoint_; }
  // "HH:MM:SS:FF" at the project rate (frames counted, not dropped: exact for 24/25/30, nominal for 30000/1001).
  QString timecode() const;

  void setFrameRate(timeline::FrameRate rate);
  void setEnd(timeline::FrameTime end);  // playback stops here

 public slots:
  void setPlayhead(lanterna::timeline::FrameTime time);
  void play();
  void pause();
  void togglePlay();
  void stepFrames(int count);
  void goToStart();
  void goToEnd();
  // J/K/L shuttle: L plays forward, faster on each press; J the same backward; K stops.
  void shuttleForward();
  void shuttleBackward();
  void setInPoint();   // at the playhead
  void setOutPoint();

 signals:
  void playheadChanged(lanterna::timeline::FrameTime time);
  void playingChanged(bool playing);
  void marksChanged();

 private:
  void tick();
  void shuttle(int direction);

  timeline::FrameRate rate_{24, 1};
  timeline::FrameTime playhead_;
  timeline::FrameTime end_;
  timeline::FrameTime playStart_;
  timeline::FrameTime inPoint_{-1};
  timeline::FrameTime outPoint_{-1};
  int speed_ = 1;
  static constexpr int kMaxShuttleSpeed = 8;
  QElapsedTimer clock_;
  QTimer timer_;
};

}  // namespace lanterna::ui
