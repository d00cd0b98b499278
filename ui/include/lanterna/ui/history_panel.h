// The generation history panel: past generations of the project, newest first, filtered by text and status.
// Usage: panel->setEntries(rows);   // rows come from the project store's history, mapped by the main window
// UI thread only.
#pragma once

#include <QDateTime>
#include <QString>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QTreeWidget;

namespace lanterna::ui {

struct HistoryEntry {
  qint64 id = 0;
  QString prompt;
  QString model;
  QString status;  // "done", "failed", "cancelled", "interrupted", "queued", "running"
  qint64 seed = 0;
  QDateTime created;
  qint64 durationMs = 0;
  QString errorMessage;
};

class HistoryPanel : public QWidget {
  Q_OBJECT
 public:
  explicit HistoryPanel(QWidget* parent = nullptr);

  void setEntries(std::vector<HistoryEntry> entries);
  int visibleCount() const;

 signals:
  void entryActivated(qint64 generation);

 private:
  void applyFilter();

  std::vector<HistoryEntry> entries_;
  QLineEdit* search_ = nullptr;
  QComboBox* status_ = nullptr;
  QTreeWidget* list_ = nullptr;
  QLabel* empty_ = nullptr;
};

}  // namespace lanterna::ui
