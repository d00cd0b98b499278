#include "lanterna/ui/history_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QPixmap>
#include <QStyle>
#include <QToolButton>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "lanterna/ui/theme.h"

namespace lanterna::ui {

namespace {
constexpr int kThumbnailSide = 36;
}  // namespace

HistoryPanel::HistoryPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("historyPanel");
  search_ = new QLineEdit;
  search_->setObjectName("historySearch");
  search_->setPlaceholderText(tr("Search prompts"));
  search_->setClearButtonEnabled(true);
  status_ = new QComboBox;
  status_->setObjectName("historyStatus");
  status_->addItems({tr("All"), "done", "failed", "cancelled", "interrupted", "running", "queued"});
  // Typing or picking a status leaves the lineage view: the filters apply to the whole history again.
  connect(search_, &QLineEdit::textChanged, this, [this] { showLineage(0); });
  connect(status_, &QComboBox::currentIndexChanged, this, [this] { showLineage(0); });

  list_ = new QTreeWidget;
  list_->setHeaderLabels({tr("Prompt"), tr("Status"), tr("Model"), tr("Seed"), tr("When")});
  list_->setRootIsDecorated(false);
  list_->setAlternatingRowColors(true);
  list_->setIconSize({kThumbnailSide, kThumbnailSide});
  list_->setColumnWidth(0, 170);
  list_->setColumnWidth(1, 70);
  connect(list_, &QTreeWidget::itemActivated, this,
          [this](QTreeWidgetItem* row) { emit entryActivated(row->data(0, Qt::UserRole).toLongLong()); });
  empty_ = new QLabel(tr("No generations yet in this project."));
  empty_->setObjectName("panelHint");
  empty_->setWordWrap(true);

  auto button = [this](QStyle::StandardPixmap icon, const QString& tip, const QString& name, auto signal) {
    auto* created = new QToolButton;
    created->setIcon(style()->standardIcon(icon));
    created->setToolTip(tip);
    created->setObjectName(name);
    created->setAutoRaise(true);
    connect(created, &QToolButton::clicked, this, [this, signal] {
      if (const qint64 id = selectedEntry()) emit(this->*signal)(id);
    });
    return created;
  };
  auto* actions = new QHBoxLayout;
  actions->setContentsMargins(6, 0, 6, 4);
  actions->addWidget(button(QStyle::SP_ArrowUp, tr("Use these settings on the selected prompt item"), "reuseSettings",
                            &HistoryPanel::reuseRequested));
  actions->addWidget(button(QStyle::SP_ArrowDown, tr("Put this take on the timeline"), "placeTake",
                            &HistoryPanel::placeRequested));
  auto* lineage = new QToolButton;
  lineage->setIcon(style()->standardIcon(QStyle::SP_FileDialogDetailedView));
  lineage->setToolTip(tr("Show the parent and the variations of this generation (again: show all)"));
  lineage->setObjectName("showLineage");
  lineage->setAutoRaise(true);
  connect(lineage, &QToolButton::clicked, this, [this] { showLineage(lineage_ ? 0 : selectedEntry()); });
  actions->addWidget(lineage);
  actions->addWidget(button(QStyle::SP_DirOpenIcon, tr("Show the file in the file manager"), "revealFile",
                            &HistoryPanel::revealRequested));
  auto* open = new QToolButton;
  open->setIcon(style()->standardIcon(QStyle::SP_DialogOpenButton));
  open->setToolTip(tr("Open image… (read the settings a PNG was made with)"));
  open->setObjectName("openImage");
  open->setAutoRaise(true);
  connect(open, &QToolButton::clicked, this, &HistoryPanel::openImageRequested);
  actions->addStretch(1);
  actions->addWidget(open);

  auto* filters = new QHBoxLayout;
  filters->setContentsMargins(6, 6, 6, 4);
  filters->addWidget(search_, 1);
  filters->addWidget(status_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(filters);
  layout->addLayout(actions);
  layout->addWidget(empty_);
  layout->addWidget(list_, 1);
  applyFilter();
}

void HistoryPanel::setEntries(std::vector<HistoryEntry> entries) {
  std::sort(entries.begin(), entries.end(),
            [](const HistoryEntry& a, const HistoryEntry& b) { return a.created > b.created || (a.created == b.created && a.id > b.id); });
  entries_ = std::move(entries);
  applyFilter();
}

int HistoryPanel::visibleCount() const { return list_->topLevelItemCount(); }

qint64 HistoryPanel::selectedEntry() const {
  const auto selected = list_->selectedItems();
  return selected.isEmpty() ? 0 : selected.front()->data(0, Qt::UserRole).toLongLong();
}

void HistoryPanel::selectEntry(qint64 generation) {
  for (int i = 0; i < list_->topLevelItemCount(); ++i) {
    QTreeWidgetItem* row = list_->topLevelItem(i);
    row->setSelected(row->data(0, Qt::UserRole).toLongLong() == generation);
  }
}

void HistoryPanel::showLineage(qint64 generation) {
  lineage_ = generation;
  applyFilter();
  if (generation) selectEntry(generation);
}

// Ancestors by following parents up; variations by following them down (any depth).
bool HistoryPanel::inLineage(const HistoryEntry& entry) const {
  auto parentOf = [this](qint64 id) -> qint64 {
    for (const HistoryEntry& e : entries_)
      if (e.id == id) return e.parent;
    return 0;
  };
  for (qint64 up = lineage_; up; up = parentOf(up))
    if (up == entry.id) return true;
  for (qint64 up = entry.id; up; up = parentOf(up))
    if (up == lineage_) return true;
  return false;
}

void HistoryPanel::applyFilter() {
  list_->clear();
  const QString text = search_->text().trimmed();
  const QString status = status_->currentIndex() == 0 ? QString() : status_->currentText();
  for (const HistoryEntry& entry : entries_) {
    if (lineage_ && !inLineage(entry)) continue;
    if (!lineage_ && !text.isEmpty() && !entry.prompt.contains(text, Qt::CaseInsensitive) &&
        !entry.model.contains(text, Qt::CaseInsensitive))
      continue;
    if (!lineage_ && !status.isEmpty() && entry.status != status) continue;
    QString title = entry.prompt.simplified();
    if (entry.frames > 1) title += QStringLiteral("  ·  %1 frames, %2 fps").arg(entry.frames).arg(entry.fps);
    auto* row = new QTreeWidgetItem(list_, {title, entry.status, entry.model,
                                            QString::number(entry.seed),
                                            entry.created.toLocalTime().toString("MMM d, hh:mm:ss")});
    row->setData(0, Qt::UserRole, entry.id);
    if (!entry.thumbnail.isNull())
      row->setIcon(0, QIcon(QPixmap::fromImage(entry.thumbnail.scaled(kThumbnailSide, kThumbnailSide, Qt::KeepAspectRatio))));
    QString tip = QStringLiteral("%1\nmodel %2 · seed %3").arg(entry.prompt, entry.model).arg(entry.seed);
    if (entry.durationMs > 0) tip += QStringLiteral(" · %1 s").arg(entry.durationMs / 1000.0, 0, 'f', 1);
    if (!entry.errorMessage.isEmpty()) tip += "\n" + entry.errorMessage;
    row->setToolTip(0, tip);
    if (entry.status == "failed") row->setForeground(1, theme::kError);
  }
  empty_->setVisible(entries_.empty());
  list_->setVisible(!entries_.empty());
}

}  // namespace lanterna::ui
