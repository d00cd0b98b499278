#include "lanterna/ui/model_library_panel.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QStyle>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "lanterna/ui/theme.h"

namespace lanterna::ui {

namespace {
const char* kFoldersKey = "models/folders";
}  // namespace

ModelLibraryPanel::ModelLibraryPanel(QWidget* parent) : QWidget(parent), source_(&app::ModelLibrary::fromSettings) {
  setObjectName("modelLibraryPanel");
  list_ = new QTreeWidget;
  list_->setHeaderLabels({tr("Model"), tr("Kind"), tr("Size"), tr("Status")});
  list_->setRootIsDecorated(false);
  list_->setAlternatingRowColors(true);
  list_->setColumnWidth(0, 150);
  list_->setColumnWidth(1, 60);
  list_->setColumnWidth(2, 70);
  status_ = new QLabel;
  status_->setObjectName("panelHint");
  status_->setWordWrap(true);

  auto* refresh = new QToolButton;
  refresh->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));
  refresh->setToolTip(tr("Scan the model folders again"));
  refresh->setAutoRaise(true);
  connect(refresh, &QToolButton::clicked, this, &ModelLibraryPanel::rescan);
  auto* folders = new QToolButton;
  folders->setIcon(style()->standardIcon(QStyle::SP_DirIcon));
  folders->setToolTip(tr("Model folders…"));
  folders->setAutoRaise(true);
  connect(folders, &QToolButton::clicked, this, &ModelLibraryPanel::editFolders);

  auto* buttons = new QHBoxLayout;
  buttons->setContentsMargins(6, 4, 6, 4);
  buttons->addWidget(refresh);
  buttons->addWidget(folders);
  buttons->addWidget(status_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addLayout(buttons);
  layout->addWidget(list_, 1);
  connect(&watcher_, &QFutureWatcher<std::vector<app::ModelEntry>>::finished, this, [this] {
    entries_ = watcher_.result();
    showEntries();
    if (rescanPending_) {
      rescanPending_ = false;
      rescan();
    }
  });
}

// A scan in flight finishes on its own: the watcher waits for it, so the panel never outlives its worker.
ModelLibraryPanel::~ModelLibraryPanel() { watcher_.waitForFinished(); }

void ModelLibraryPanel::setLibrarySource(std::function<app::ModelLibrary()> source) { source_ = std::move(source); }

int ModelLibraryPanel::rowCount() const { return list_->topLevelItemCount(); }

void ModelLibraryPanel::rescan() {
  if (watcher_.isRunning()) {
    rescanPending_ = true;  // the folders may have changed since that scan started
    return;
  }
  status_->setText(tr("Scanning…"));
  const app::ModelLibrary library = source_();  // read settings here, on the UI thread
  watcher_.setFuture(QtConcurrent::run([library] { return library.scan(); }));
}

void ModelLibraryPanel::showEntries() {
  list_->clear();
  QStringList usable;
  for (const app::ModelEntry& entry : entries_) {
    const QString size = QLocale().formattedDataSize(entry.sizeBytes);
    auto* row = new QTreeWidgetItem(list_, {entry.name, entry.architecture, size,
                                            entry.usable ? tr("usable") : entry.reason});
    row->setToolTip(0, entry.path);
    row->setToolTip(3, entry.usable ? entry.components.join(", ") : entry.reason);
    if (!entry.usable) row->setForeground(3, theme::kError);
    if (entry.usable) usable << entry.name;
  }
  status_->setText(entries_.empty() ? tr("No models found. Add a folder with the folder button.")
                                    : tr("%1 models, %2 usable").arg(entries_.size()).arg(usable.size()));
  emit modelsScanned(usable);
}

void ModelLibraryPanel::editFolders() {
  ModelFoldersDialog dialog(this);
  if (dialog.exec() == QDialog::Accepted) rescan();
}

ModelFoldersDialog::ModelFoldersDialog(QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Model Folders"));
  setObjectName("modelFoldersDialog");
  list_ = new QListWidget;
  list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
  list_->addItems(QSettings("Lanterna", "Lanterna").value(kFoldersKey).toStringList());
  auto* add = new QPushButton(tr("Add…"));
  auto* remove = new QPushButton(tr("Remove"));
  connect(add, &QPushButton::clicked, this, [this] {
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add Model Folder"));
    if (!folder.isEmpty()) addFolder(folder);
  });
  connect(remove, &QPushButton::clicked, this, &ModelFoldersDialog::removeSelected);
  auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(box, &QDialogButtonBox::accepted, this, [this] {
    save();
    accept();
  });
  connect(box, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* side = new QVBoxLayout;
  side->addWidget(add);
  side->addWidget(remove);
  side->addStretch(1);
  auto* row = new QHBoxLayout;
  row->addWidget(list_, 1);
  row->addLayout(side);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("Lanterna also looks in its bundled models and %1.")
                                   .arg(app::ModelLibrary::defaultModelsFolder())));
  layout->addLayout(row);
  layout->addWidget(box);
  resize(520, 300);
}

QStringList ModelFoldersDialog::folders() const {
  QStringList all;
  for (int i = 0; i < list_->count(); ++i) all << list_->item(i)->text();
  return all;
}

void ModelFoldersDialog::addFolder(const QString& folder) {
  if (!folders().contains(folder)) list_->addItem(folder);
}

void ModelFoldersDialog::removeSelected() { qDeleteAll(list_->selectedItems()); }

void ModelFoldersDialog::save() const { QSettings("Lanterna", "Lanterna").setValue(kFoldersKey, folders()); }

}  // namespace lanterna::ui
