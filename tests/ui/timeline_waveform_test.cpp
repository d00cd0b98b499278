// An audio clip with sound draws its waveform where the sound is, and nothing where the audio is silent; in the
// studio, an imported audio file's clip gets its waveform from the background cache.
#include <QApplication>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <fstream>

#include "demo_helpers.h"
#include "lanterna/app/media_import.h"
#include "lanterna/app/project_store.h"
#include "lanterna/app/waveform_summary.h"
#include "lanterna/ui/demo_document.h"
#include "lanterna/ui/job_queue.h"
#include "lanterna/ui/main_window.h"
#include "lanterna/ui/timeline_widget.h"

using namespace lanterna;
using lanterna::ui::testing::firstItemOf;

namespace {

// 2 s of a loud 220 Hz tone, then 8 s of silence.
std::shared_ptr<const app::WaveformSummary> toneThenSilence() {
  assets::AudioBuffer audio{48000, 2, std::vector<float>(std::size_t(2 * 48000 * 10), 0.0f)};
  for (int i = 0; i < 2 * 48000; ++i)
    audio.samples[std::size_t(2 * i)] = audio.samples[std::size_t(2 * i + 1)] =
        float(0.9 * std::sin(2.0 * M_PI * 220.0 * i / 48000));
  return std::make_shared<const app::WaveformSummary>(app::summarizeAudio(audio));
}

// 1 s of silence, then 1 s of a half-scale tone: mono 16-bit PCM.
void writeWav(const std::string& file) {
  std::ofstream out(file, std::ios::binary);
  const auto u32 = [&](std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  const auto u16 = [&](std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  constexpr std::uint32_t kRate = 48000, kBytes = 2 * kRate * 2;
  out << "RIFF";
  u32(36 + kBytes);
  out << "WAVEfmt ";
  u32(16), u16(1), u16(1), u32(kRate), u32(kRate * 2), u16(2), u16(16);
  out << "data";
  u32(kBytes);
  for (std::uint32_t i = 0; i < 2 * kRate; ++i)
    u16(std::uint16_t(i < kRate ? 0 : std::int16_t(std::lround(16384 * std::sin(2.0 * M_PI * 440.0 * i / kRate)))));
}

int brightness(QRgb pixel) { return qRed(pixel) + qGreen(pixel) + qBlue(pixel); }

}  // namespace

class TimelineWaveformTest : public QObject {
  Q_OBJECT

 private slots:
  void audioClipWithSoundDrawsAWaveform() {
    auto document = ui::makeDemoDocument();
    const auto audio = firstItemOf<timeline::AudioPayload>(*document);
    ui::TimelineWidget widget;
    widget.setDocument(document.get());
    widget.resize(1200, 300);
    widget.setPixelsPerFrame(4.0);
    widget.show();
    QVERIFY(QTest::qWaitForWindowExposed(&widget));
    const QImage plain = widget.grab().toImage();

    const auto summary = toneThenSilence();
    widget.setDecorationProvider([&](timeline::ItemId id) {
      ui::ItemDecoration decoration;
      if (id == audio) decoration.waveform = summary;
      return decoration;
    });
    widget.update();
    const QImage drawn = widget.grab().toImage();
    QCOMPARE(drawn.size(), plain.size());

    const QRect box = widget.itemRect(audio);
    const double fps = document->settings().frameRate.toDouble();
    const int toneEnd = box.left() + int(2.0 * fps * 4.0);  // 2 s at 4 px per frame
    QVERIFY(toneEnd + 40 < box.right());
    // Rows between the label (top) and the duration (bottom), left of where the tone ends: brighter than before.
    const int below = box.center().y() + box.height() / 8, above = box.center().y() - box.height() / 8;
    int lit = 0, columns = 0;
    for (int x = box.left() + 90; x < toneEnd - 4; x += 3, ++columns)
      lit += brightness(drawn.pixel(x, below)) > brightness(plain.pixel(x, below)) + 30 &&
             brightness(drawn.pixel(x, above)) > brightness(plain.pixel(x, above)) + 30;
    QVERIFY2(columns > 10 && lit == columns, qPrintable(QStringLiteral("%1 of %2 columns lit").arg(lit).arg(columns)));
    // After it, silence: the clip looks as it did without a waveform.
    for (int x = toneEnd + 8; x < std::min(box.right() - 8, 1190); x += 7)
      for (int y : {above, box.center().y(), below}) QCOMPARE(drawn.pixel(x, y), plain.pixel(x, y));
    // Other items are not touched.
    const QRect video = widget.itemRect(firstItemOf<timeline::VideoPayload>(*document));
    QCOMPARE(drawn.copy(video), plain.copy(video));
  }

  void studioMakesTheWaveformOfAnImportedFile() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCoreApplication::setOrganizationName("LanternaTest");
    QCoreApplication::setApplicationName("TimelineWaveformTest");
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    const std::string wav = dir.filePath("voice.wav").toStdString();
    writeWav(wav);
    const QString path = dir.filePath("p.lanterna");
    {
      auto store = app::ProjectStore::create(path.toStdString(), {"P", {24, 1}, 64, 48});
      QVERIFY(store.ok());
      auto document = timeline::Document::fromSnapshot(*store->load());
      QVERIFY(document.ok());
      auto imported = app::importMediaFiles(*store, **document, {wav});
      QVERIFY2(imported.ok(), imported.ok() ? "" : imported.error().message.c_str());
      QVERIFY(store->save((*document)->snapshot()).ok());
    }
    ui::MainWindow window;
    QVERIFY(window.openProjectFile(path));
    const auto clip = firstItemOf<timeline::AudioPayload>(*window.document());
    QVERIFY(clip != 0);
    window.timeline()->decoration(clip);  // the first ask starts the work
    QTRY_VERIFY_WITH_TIMEOUT(window.timeline()->decoration(clip).waveform != nullptr, 20000);
    const auto summary = window.timeline()->decoration(clip).waveform;
    QVERIFY(std::abs(summary->durationSeconds() - 2.0) < 0.01);
    QCOMPARE(summary->span(0.1, 0.8).max, 0.0f);
    QVERIFY(std::abs(summary->span(1.1, 1.9).max - 0.5f) < 0.01f);
    QVERIFY(std::filesystem::exists(std::filesystem::path(dir.path().toStdString()) / "thumbnails"));
  }
};

QTEST_MAIN(TimelineWaveformTest)
#include "timeline_waveform_test.moc"
