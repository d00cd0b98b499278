// Edits the selected prompt item's generation settings. A typed value is checked when the field is left (or
// Enter is pressed); a refused value stays in the field with the reason beside it and the document is not
// touched. Accepted edits go through Document::requestChangeGenerationSettings, so they undo. Usage:
//   inspector->setDocument(&document);
//   connect(timeline, &TimelineWidget::selectionChanged, inspector, &InspectorWidget::showItem);
// Photo items (reference images, stills on a video track: whatever setAnimatable() accepts) get a page of their own:
// frames, fps, duration, motion, "Restore old photo" and Animate, which asks for an image-to-video job.
// UI thread only.
#pragma once

#include <QPointer>
#include <QWidget>

#include <functional>
#include <vector>

#include "lanterna/timeline/document.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QStackedWidget;
class QTimer;
class QToolButton;

namespace lanterna::ui {

class InspectorWidget : public QWidget {
  Q_OBJECT
 public:
  explicit InspectorWidget(QWidget* parent = nullptr);
  ~InspectorWidget() override;

  void setDocument(timeline::Document* document);
  void setModelNames(const QStringList& names);
  // Which non-prompt items can be animated (photos); none without it.
  void setAnimatable(std::function<bool(timeline::ItemId)> animatable) { animatable_ = std::move(animatable); }
  // What Animate asks for: frames, fps and motion amount of an image-to-video job.
  const timeline::GenerationSettings& animateSettings() const { return photo_; }
  bool restorePhoto() const;
  timeline::ItemId item() const { return item_; }
  // The reason shown beside a field ("steps", "cfg", "seed", ...), empty when it is accepted.
  QString fieldError(const QString& field) const;

 public slots:
  void showItem(qint64 item);

 signals:
  void generateRequested(qint64 item);
  void animateRequested(qint64 item);

 private:
  using Parse = std::function<QString(const QString&, timeline::GenerationSettings&)>;
  struct Field {
    QString name;
    QLineEdit* edit = nullptr;
    QLabel* error = nullptr;
    Parse parse;
    bool photo = false;  // a photo-page field: edits animateSettings(), not the document
  };

  QWidget* buildForm();
  QWidget* buildPhotoForm();
  void reloadPhoto();
  void setField(const QString& name, const QString& value);
  QLineEdit* addField(const QString& name, Parse parse, QLabel** errorOut);
  void reload();
  void commitField(Field& field);
  void commitText();
  void commitChoice();
  void rollSeed();
  void choosePreset(int index);
  bool apply(const timeline::GenerationSettings& settings, QLabel* error);
  void setError(QLabel* error, QWidget* editor, const QString& reason);
  const timeline::GenerationSettings* current() const;

  QPointer<timeline::Document> document_;
  timeline::ItemId item_ = 0;
  bool loading_ = false;
  QStackedWidget* pages_ = nullptr;
  QLabel* hint_ = nullptr;
  QLabel* title_ = nullptr;
  QPlainTextEdit* prompt_ = nullptr;
  QPlainTextEdit* negative_ = nullptr;
  QComboBox* model_ = nullptr;
  QComboBox* sampler_ = nullptr;
  QComboBox* sizePreset_ = nullptr;
  QToolButton* seedLock_ = nullptr;
  QLabel* textError_ = nullptr;
  QTimer* textTimer_ = nullptr;
  std::vector<Field> fields_;
  std::function<bool(timeline::ItemId)> animatable_;
  timeline::GenerationSettings photo_;  // frames, fps, motion for Animate; kept between photos
  QLabel* photoTitle_ = nullptr;
  QLabel* references_ = nullptr;
  QCheckBox* restore_ = nullptr;
};

}  // namespace lanterna::ui
