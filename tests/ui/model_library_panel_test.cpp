// The model library panel on a real folder: a tiny working model is listed as usable, a damaged file as not usable
// with the reason; the refresh button rescans (a file added meanwhile appears); the folders dialog saves its list.
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

#include "lanterna/ui/model_library_panel.h"
#include "lanterna/ui/theme.h"
#include "tiny_model.h"

using namespace lanterna;

namespace {

QTreeWidgetItem* rowNamed(QTreeWidget* list, const QString& name) {
  for (int i = 0; i < list->topLevelItemCount(); ++i)
    if (list->topLevelItem(i)->text(0) == name) return list->topLevelItem(i);
  return nullptr;
}

void writeBytes(const QString& path, const QByteArray& bytes) {
  QFile file(path);
  QVERIFY(file.open(QIODevice::WriteOnly));
  file.write(bytes);
}

}  // namespace

class ModelLibraryPanelTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    QVERIFY(dir_.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir_.path());
  }

  void listsUsableModelsAndWhyOthersAreNot() {
    const QString folder = dir_.filePath("models");
    auto written = lanterna::testing::writeTinySdModel(std::filesystem::path(folder.toStdString()) / "tiny-sd");
    QVERIFY2(written, written ? "" : written.error().message.c_str());
    // A safetensors file whose header length points past the end of the file.
    writeBytes(folder + "/broken.safetensors", QByteArray("\xff\xff\x00\x00\x00\x00\x00\x00{\"a\":", 13));

    ui::ModelLibraryPanel panel;
    panel.setLibrarySource([folder] { return app::ModelLibrary({folder}); });
    QSignalSpy scanned(&panel, &ui::ModelLibraryPanel::modelsScanned);
    panel.resize(600, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    panel.rescan();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.scanning() && scanned.count() >= 1, 20000);

    auto* list = panel.findChild<QTreeWidget*>();
    QVERIFY(list);
    QTreeWidgetItem* tiny = rowNamed(list, "tiny-sd");
    QTreeWidgetItem* broken = rowNamed(list, "broken");
    QVERIFY(tiny && broken);
    QCOMPARE(tiny->text(3), QString("usable"));
    QVERIFY2(!tiny->text(1).isEmpty() && tiny->text(1) != "unknown", qPrintable(tiny->text(1)));  // detected kind
    QVERIFY(broken->text(3) != "usable" && !broken->text(3).isEmpty());
    QCOMPARE(broken->toolTip(3), broken->text(3));  // the full reason on hover
    QCOMPARE(broken->foreground(3).color(), QColor(ui::theme::kError));
    QVERIFY(scanned.last().at(0).toStringList().contains("tiny-sd"));
    QVERIFY(!scanned.last().at(0).toStringList().contains("broken"));

    // A model added while the studio runs appears after the refresh button.
    writeBytes(folder + "/empty.ckpt", QByteArray());
    const int before = panel.rowCount();
    QToolButton* refresh = nullptr;
    for (auto* button : panel.findChildren<QToolButton*>())
      if (button->toolTip().contains("again")) refresh = button;
    QVERIFY(refresh);
    QTest::mouseClick(refresh, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!panel.scanning() && panel.rowCount() == before + 1, 20000);
    QTreeWidgetItem* empty = rowNamed(list, "empty");
    QVERIFY(empty);
    QVERIFY(empty->text(3) != "usable");
  }

  void foldersDialogSavesTheList() {
    ui::ModelFoldersDialog dialog;
    dialog.addFolder(dir_.filePath("more-models"));
    dialog.addFolder(dir_.filePath("more-models"));  // once only
    QCOMPARE(dialog.folders().count(dir_.filePath("more-models")), 1);
    dialog.save();
    QVERIFY(QSettings("Lanterna", "Lanterna").value("models/folders").toStringList().contains(dir_.filePath("more-models")));
    ui::ModelFoldersDialog reopened;
    QVERIFY(reopened.folders().contains(dir_.filePath("more-models")));
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(ModelLibraryPanelTest)
#include "model_library_panel_test.moc"
