#include "lanterna/ui/history_panel.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

#include "lanterna/ui/theme.h"

namespace lanterna::ui {

HistoryPanel::HistoryPanel(QWidget* parent) : QWidget(parent) {
  setObjectName("historyPanel");
  search_ = new QLineEdit;
  search_->setObjectName("historySearch");
  search_->setPlaceholderText(tr("Search prompts"));
  search_->setClearButtonEnabled(true);
  status_ = new QComboBox;
  status_->setObjectName("historyStatus");
  status_->addItems({tr("All"), "done", "failed", "cancelled", "interrupted", "running", "queued"});
  connect(search_, &QLineEdit::textChanged, this, &HistoryPanel::applyFilter);
  connect(status_, &QComboBox::currentIndexChanged, this, &HistoryPanel::applyFilter);

  list_ = new QTreeWidget;
  list_->setHeaderLabels({tr("Prompt"), tr("Status"), tr("When")});
  list_->setRootIsDecorated(false);
  list_->setAlternatingRowColors(true);
  list_->setColumnWidth(0, 170);
  list_->setColumnWidth(1, 70);
  connect(list_, &QTreeWidget::itemActivated, this,
          [this](QTreeWidgetItem* row) { emit entryActivated(row->data(0, Qt::UserRole).toLongLong()); });
  empty_ = new QLabel(tr("No generations yet in this project."));
  empty_->setObjectName("panelHint");
  empty_->setWordWrap(true);

  auto* filters = new QHBoxLayout;
  filters->setContentsMargins(6, 6, 6, 4);
  filters->addWidget(search_, 1);
  filters->addWidget(status_);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(filters);
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

void HistoryPanel::applyFilter() {
  list_->clear();
  const QString text = search_->text().trimmed();
  const QString status = status_->currentIndex() == 0 ? QString() : status_->currentText();
  for (const HistoryEntry& entry : entries_) {
    if (!text.isEmpty() && !entry.prompt.contains(text, Qt::CaseInsensitive)) continue;
    if (!status.isEmpty() && entry.status != status) continue;
    auto* row = new QTreeWidgetItem(list_, {entry.prompt.simplified(), entry.status,
                                            entry.created.toLocalTime().toString("MMM d, hh:mm")});
    row->setData(0, Qt::UserRole, entry.id);
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
