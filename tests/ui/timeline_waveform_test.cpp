// An audio clip with sound draws its waveform where the sound is, and nothing where the audio is silent.
#include <QApplication>
#include <QTest>

#include <cmath>

#include "demo_helpers.h"
#include "lanterna/app/waveform_summary.h"
#include "lanterna/ui/demo_document.h"
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
};

QTEST_MAIN(TimelineWaveformTest)
#include "timeline_waveform_test.moc"
