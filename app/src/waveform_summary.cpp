// Level 0 is read from the samples; each coarser level folds 8 peaks of the one before (min of mins, max of
// maxes, RMS from the mean square), so the whole summary costs one pass over the audio.
#include "lanterna/app/waveform_summary.h"

#include <QDataStream>
#include <QFile>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <limits>

namespace lanterna::app {
namespace {

constexpr quint32 kMagic = 0x4C4E5746;  // "LNWF"
constexpr quint32 kVersion = 1;
constexpr quint64 kMaxPeaks = quint64(1) << 28;  // a hostile count must not make us allocate gigabytes

WaveformPeak merged(const WaveformPeak* first, const WaveformPeak* last) {
  WaveformPeak out{std::numeric_limits<float>::max(), std::numeric_limits<float>::lowest(), 0.0f};
  double square = 0.0;
  for (const WaveformPeak* p = first; p != last; ++p) {
    out.min = std::min(out.min, p->min);
    out.max = std::max(out.max, p->max);
    square += double(p->rms) * p->rms;
  }
  out.rms = float(std::sqrt(square / double(last - first)));
  return out;
}

std::string quoted(const std::filesystem::path& file) { return "\"" + file.filename().string() + "\""; }

}  // namespace

WaveformPeak WaveformSummary::span(double fromSeconds, double toSeconds) const {
  if (empty() || toSeconds <= fromSeconds) return {};
  const double samples = (toSeconds - fromSeconds) * sampleRate;
  const WaveformLevel* level = &levels.front();
  for (const auto& candidate : levels)
    if (candidate.samplesPerPeak <= samples && !candidate.peaks.empty()) level = &candidate;
  const auto count = std::int64_t(level->peaks.size());
  const auto first = std::max<std::int64_t>(0, std::int64_t(std::floor(fromSeconds * sampleRate / level->samplesPerPeak)));
  const auto last = std::min(count, std::max(first + 1, std::int64_t(std::ceil(toSeconds * sampleRate /
                                                                              level->samplesPerPeak))));
  if (first >= count || last <= 0) return {};
  return merged(level->peaks.data() + first, level->peaks.data() + last);
}

WaveformSummary summarizeAudio(const assets::AudioBuffer& audio) {
  WaveformSummary summary;
  summary.sampleRate = audio.sampleRate;
  summary.frameCount = audio.frameCount();
  if (summary.frameCount == 0 || audio.channels <= 0) return summary;

  WaveformLevel finest{kWaveformSamplesPerPeak[0], {}};
  const std::int64_t frames = summary.frameCount;
  for (std::int64_t begin = 0; begin < frames; begin += finest.samplesPerPeak) {
    const std::int64_t end = std::min(frames, begin + finest.samplesPerPeak);
    const float* first = audio.samples.data() + begin * audio.channels;
    const float* last = audio.samples.data() + end * audio.channels;
    const auto [lo, hi] = std::minmax_element(first, last);
    double square = 0.0;
    for (const float* s = first; s != last; ++s) square += double(*s) * *s;
    finest.peaks.push_back({*lo, *hi, float(std::sqrt(square / double(last - first)))});
  }
  summary.levels.push_back(std::move(finest));

  for (std::size_t i = 1; i < kWaveformSamplesPerPeak.size(); ++i) {
    const WaveformLevel& finer = summary.levels.back();
    const int fold = kWaveformSamplesPerPeak[i] / finer.samplesPerPeak;
    WaveformLevel level{kWaveformSamplesPerPeak[i], {}};
    for (std::size_t at = 0; at < finer.peaks.size(); at += std::size_t(fold)) {
      const std::size_t end = std::min(finer.peaks.size(), at + std::size_t(fold));
      level.peaks.push_back(merged(finer.peaks.data() + at, finer.peaks.data() + end));
    }
    summary.levels.push_back(std::move(level));
  }
  return summary;
}

Status saveWaveform(const WaveformSummary& summary, const std::filesystem::path& file) {
  QSaveFile out(QString::fromStdString(file.string()));
  if (!out.open(QIODevice::WriteOnly))
    return makeError(ErrorKind::NoWriteAccess, "Cannot write waveform " + quoted(file) + ": " +
                                                   out.errorString().toStdString() + ".", file);
  QDataStream stream(&out);
  stream.setFloatingPointPrecision(QDataStream::SinglePrecision);
  stream << kMagic << kVersion << qint32(summary.sampleRate) << qint64(summary.frameCount)
         << quint32(summary.levels.size());
  for (const auto& level : summary.levels) {
    stream << qint32(level.samplesPerPeak) << quint64(level.peaks.size());
    for (const auto& peak : level.peaks) stream << peak.min << peak.max << peak.rms;
  }
  if (stream.status() != QDataStream::Ok || !out.commit())
    return makeError(ErrorKind::DiskFull, "Cannot write waveform " + quoted(file) + " (disk full?).", file);
  return Ok{};
}

Result<WaveformSummary> loadWaveform(const std::filesystem::path& file) {
  QFile in(QString::fromStdString(file.string()));
  if (!in.exists()) return makeError(ErrorKind::FileNotFound, "No waveform " + quoted(file) + " yet.", file);
  if (!in.open(QIODevice::ReadOnly))
    return makeError(ErrorKind::NoReadAccess, "Cannot read waveform " + quoted(file) + ".", file);
  const auto bad = [&](const std::string& why) {
    return makeError(ErrorKind::FormatIncorrect, "Waveform " + quoted(file) + " is unusable: " + why + ".", file);
  };
  QDataStream stream(&in);
  stream.setFloatingPointPrecision(QDataStream::SinglePrecision);
  quint32 magic = 0, version = 0, levelCount = 0;
  qint32 sampleRate = 0;
  qint64 frameCount = 0;
  stream >> magic >> version >> sampleRate >> frameCount >> levelCount;
  if (magic != kMagic || version != kVersion) return bad("not a version-1 summary");
  if (levelCount > 16 || sampleRate <= 0 || frameCount < 0) return bad("implausible header");
  WaveformSummary summary{sampleRate, frameCount, {}};
  for (quint32 i = 0; i < levelCount; ++i) {
    qint32 samplesPerPeak = 0;
    quint64 count = 0;
    stream >> samplesPerPeak >> count;
    const quint64 bytesLeft = quint64(in.size() - in.pos());
    if (samplesPerPeak <= 0 || count > kMaxPeaks || count * 12 > bytesLeft) return bad("cut short");
    WaveformLevel level{samplesPerPeak, std::vector<WaveformPeak>(count)};
    for (auto& peak : level.peaks) stream >> peak.min >> peak.max >> peak.rms;
    summary.levels.push_back(std::move(level));
  }
  if (stream.status() != QDataStream::Ok) return bad("cut short");
  return summary;
}

}  // namespace lanterna::app
