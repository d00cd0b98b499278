// The generation history panel: past generations of the project, newest first, filtered by text and status.
// Usage: panel->setEntries(rows);   // rows come from the project store's history, mapped by the main window
// UI thread only.
#pragma once

#include <QImage>

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
  qint64 parent = 0;  // the generation this one varies
  QImage thumbnail;   // the frame-0 still, null when there is none
  int frames = 1;     // > 1: a clip, listed with its frames and rate
  double fps = 0.0;
};

class HistoryPanel : public QWidget {
  Q_OBJECT
 public:
  explicit HistoryPanel(QWidget* parent = nullptr);

  void setEntries(std::vector<HistoryEntry> entries);
  int visibleCount() const;
  qint64 selectedEntry() const;
  void selectEntry(qint64 generation);
  // Narrows the list to the generation's ancestors and variations (0: back to the filters).
  void showLineage(qint64 generation);
  qint64 lineageOf() const { return lineage_; }

 signals:
  void entryActivated(qint64 generation);
  void reuseRequested(qint64 generation);
  void placeRequested(qint64 generation);
  void revealRequested(qint64 generation);
  void openImageRequested();

 private:
  void applyFilter();
  bool inLineage(const HistoryEntry& entry) const;

  std::vector<HistoryEntry> entries_;
  QLineEdit* search_ = nullptr;
  QComboBox* status_ = nullptr;
  QTreeWidget* list_ = nullptr;
  QLabel* empty_ = nullptr;
  qint64 lineage_ = 0;
};

}  // namespace lanterna::ui
