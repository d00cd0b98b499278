// Edits the selected prompt item's generation settings. A typed value is checked when the field is left (or
// Enter is pressed); a refused value stays in the field with the reason beside it and the document is not
// touched. Accepted edits go through Document::requestChangeGenerationSettings, so they undo. Usage:
//   inspector->setDocument(&document);
//   connect(timeline, &TimelineWidget::selectionChanged, inspector, &InspectorWidget::showItem);
// UI thread only.
#pragma once

#include <QPointer>
#include <QWidget>

#include <functional>
#include <vector>

#include "lanterna/timeline/document.h"

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
  timeline::ItemId item() const { return item_; }
  // The reason shown beside a field ("steps", "cfg", "seed", ...), empty when it is accepted.
  QString fieldError(const QString& field) const;

 public slots:
  void showItem(qint64 item);

 signals:
  void generateRequested(qint64 item);

 private:
  using Parse = std::function<QString(const QString&, timeline::GenerationSettings&)>;
  struct Field {
    QString name;
    QLineEdit* edit = nullptr;
    QLabel* error = nullptr;
    Parse parse;
  };

  QWidget* buildForm();
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
};

}  // namespace lanterna::ui
