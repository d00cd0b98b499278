#include "lanterna/ui/inspector_widget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScrollArea>
#include <QStackedWidget>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <array>
#include <variant>

#include "lanterna/ui/generation_field_rules.h"

namespace lanterna::ui {

using timeline::GenerationSettings;

namespace {

struct SizePreset {
  const char* label;
  int width;
  int height;
};
constexpr std::array<SizePreset, 8> kSizePresets{{{"Custom", 0, 0},
                                                  {"512 × 512 (1:1)", 512, 512},
                                                  {"768 × 768 (1:1)", 768, 768},
                                                  {"768 × 432 (16:9)", 768, 432},
                                                  {"1024 × 576 (16:9)", 1024, 576},
                                                  {"432 × 768 (9:16)", 432, 768},
                                                  {"576 × 1024 (9:16)", 576, 1024},
                                                  {"1024 × 1024 (1:1)", 1024, 1024}}};
const QStringList kSamplers{"euler", "euler_a", "ddim", "dpmpp_2m", "dpmpp_2m_karras", "lcm"};
constexpr int kTextCommitDelayMs = 600;  // typing pauses this long before the prompt becomes one undo step

QLabel* makeErrorLabel() {
  auto* label = new QLabel;
  label->setObjectName("fieldError");
  label->setWordWrap(true);
  label->hide();
  return label;
}

QWidget* cell(QWidget* editor, QLabel* error) {
  auto* box = new QWidget;
  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addWidget(editor);
  layout->addWidget(error);
  return box;
}

}  // namespace

InspectorWidget::InspectorWidget(QWidget* parent) : QWidget(parent) {
  setObjectName("inspector");
  textTimer_ = new QTimer(this);
  textTimer_->setSingleShot(true);
  textTimer_->setInterval(kTextCommitDelayMs);
  connect(textTimer_, &QTimer::timeout, this, &InspectorWidget::commitText);

  pages_ = new QStackedWidget(this);
  hint_ = new QLabel(tr("Select a prompt item on the timeline to edit its generation settings."));
  hint_->setObjectName("panelHint");
  hint_->setWordWrap(true);
  hint_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  pages_->addWidget(hint_);
  auto* scroll = new QScrollArea;
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setWidget(buildForm());
  pages_->addWidget(scroll);
  auto* photoScroll = new QScrollArea;
  photoScroll->setWidgetResizable(true);
  photoScroll->setFrameShape(QFrame::NoFrame);
  photoScroll->setWidget(buildPhotoForm());
  pages_->addWidget(photoScroll);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(pages_);
}

// Closing the window moves focus out of a field, which finishes its edit: by then fields_ is gone.
InspectorWidget::~InspectorWidget() {
  for (Field& field : fields_) disconnect(field.edit, nullptr, this, nullptr);
  disconnect(model_->lineEdit(), nullptr, this, nullptr);
}

QLineEdit* InspectorWidget::addField(const QString& name, Parse parse, QLabel** errorOut) {
  auto* edit = new QLineEdit;
  edit->setObjectName(name);
  auto* error = makeErrorLabel();
  error->setObjectName(name + "Error");
  const int index = static_cast<int>(fields_.size());
  fields_.push_back(Field{name, edit, error, std::move(parse)});
  connect(edit, &QLineEdit::editingFinished, this, [this, index] { commitField(fields_[index]); });
  *errorOut = error;
  return edit;
}

QWidget* InspectorWidget::buildForm() {
  auto* form = new QWidget;
  auto* rows = new QFormLayout(form);
  rows->setContentsMargins(12, 10, 12, 12);
  rows->setVerticalSpacing(8);
  rows->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  title_ = new QLabel;
  title_->setStyleSheet("font-weight: bold;");
  rows->addRow(title_);

  prompt_ = new QPlainTextEdit;
  prompt_->setObjectName("prompt");
  prompt_->setPlaceholderText(tr("Describe the shot…"));
  prompt_->setFixedHeight(84);
  negative_ = new QPlainTextEdit;
  negative_->setObjectName("negative");
  negative_->setPlaceholderText(tr("What to avoid"));
  negative_->setFixedHeight(52);
  textError_ = makeErrorLabel();
  for (auto* text : {prompt_, negative_})
    connect(text, &QPlainTextEdit::textChanged, this, [this] { if (!loading_) textTimer_->start(); });
  rows->addRow(tr("Prompt"), prompt_);
  rows->addRow(tr("Negative"), cell(negative_, textError_));

  model_ = new QComboBox;
  model_->setObjectName("model");
  model_->setEditable(true);
  sampler_ = new QComboBox;
  sampler_->setObjectName("sampler");
  sampler_->addItems(kSamplers);
  connect(model_, &QComboBox::activated, this, &InspectorWidget::commitChoice);
  connect(model_->lineEdit(), &QLineEdit::editingFinished, this, &InspectorWidget::commitChoice);
  connect(sampler_, &QComboBox::activated, this, &InspectorWidget::commitChoice);
  rows->addRow(tr("Model"), model_);
  rows->addRow(tr("Sampler"), sampler_);

  // addField() fills in the error label, so it must run before the label is read.
  QLabel* error = nullptr;
  auto row = [&](const QString& label, const QString& name, Parse parse) {
    QLineEdit* edit = addField(name, std::move(parse), &error);
    rows->addRow(label, cell(edit, error));
  };
  row(tr("Steps"), "steps", parseSteps);
  row(tr("CFG"), "cfg", parseCfg);

  auto* seedRow = new QWidget;
  auto* seedLayout = new QHBoxLayout(seedRow);
  seedLayout->setContentsMargins(0, 0, 0, 0);
  seedLayout->addWidget(addField("seed", parseSeed, &error), 1);
  QLabel* seedError = error;
  auto* dice = new QToolButton;
  dice->setObjectName("rollSeed");
  dice->setIcon(style()->standardIcon(QStyle::SP_BrowserReload));  // no emoji font on every desktop
  dice->setToolTip(tr("New random seed"));
  connect(dice, &QToolButton::clicked, this, &InspectorWidget::rollSeed);
  seedLock_ = new QToolButton;
  seedLock_->setObjectName("seedLock");
  seedLock_->setCheckable(true);
  seedLock_->setText(tr("Lock"));
  seedLock_->setToolTip(tr("Keep this seed when generating again"));
  connect(seedLock_, &QToolButton::toggled, this, &InspectorWidget::commitChoice);
  seedLayout->addWidget(dice);
  seedLayout->addWidget(seedLock_);
  rows->addRow(tr("Seed"), cell(seedRow, seedError));

  sizePreset_ = new QComboBox;
  sizePreset_->setObjectName("sizePreset");
  for (const SizePreset& preset : kSizePresets) sizePreset_->addItem(preset.label);
  connect(sizePreset_, &QComboBox::activated, this, &InspectorWidget::choosePreset);
  rows->addRow(tr("Size"), sizePreset_);
  auto* sizeRow = new QWidget;
  auto* sizeLayout = new QHBoxLayout(sizeRow);
  sizeLayout->setContentsMargins(0, 0, 0, 0);
  QLabel* widthError = nullptr;
  QLabel* heightError = nullptr;
  sizeLayout->addWidget(addField("width", parseWidth, &widthError));
  sizeLayout->addWidget(new QLabel(QStringLiteral("×")));
  sizeLayout->addWidget(addField("height", parseHeight, &heightError));
  auto* sizeCell = cell(sizeRow, widthError);
  sizeCell->layout()->addWidget(heightError);
  rows->addRow(QString(), sizeCell);

  row(tr("Frames"), "frames", parseFrames);
  row(tr("FPS"), "fps", parseFps);
  row(tr("Duration (s)"), "duration", parseDuration);
  row(tr("Strength"), "strength", parseStrength);
  row(tr("Motion"), "motion", parseMotion);

  // Reference images come from photos (Animate); here they are listed and can be dropped from the job.
  auto* referenceRow = new QWidget;
  auto* referenceLayout = new QHBoxLayout(referenceRow);
  referenceLayout->setContentsMargins(0, 0, 0, 0);
  references_ = new QLabel;
  references_->setObjectName("references");
  references_->setWordWrap(true);
  auto* clearReferences = new QToolButton;
  clearReferences->setObjectName("clearReferences");
  clearReferences->setText(tr("Clear"));
  clearReferences->setToolTip(tr("Generate from the prompt alone"));
  connect(clearReferences, &QToolButton::clicked, this, [this] {
    const GenerationSettings* settings = current();
    if (!settings || settings->referenceImages.empty()) return;
    GenerationSettings edited = *settings;
    edited.referenceImages.clear();
    apply(edited, textError_);
  });
  referenceLayout->addWidget(references_, 1);
  referenceLayout->addWidget(clearReferences);
  rows->addRow(tr("References"), referenceRow);

  auto* generate = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Generate"));
  generate->setObjectName("generate");
  connect(generate, &QPushButton::clicked, this, [this] { emit generateRequested(item_); });
  rows->addRow(generate);
  return form;
}

QWidget* InspectorWidget::buildPhotoForm() {
  photo_.frames = 16;
  photo_.fps = timeline::FrameRate{8, 1};
  photo_.motionAmount = 0.5;
  auto* form = new QWidget;
  auto* rows = new QFormLayout(form);
  rows->setContentsMargins(12, 10, 12, 12);
  rows->setVerticalSpacing(8);
  rows->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  photoTitle_ = new QLabel;
  photoTitle_->setStyleSheet("font-weight: bold;");
  photoTitle_->setWordWrap(true);
  rows->addRow(photoTitle_);
  QLabel* error = nullptr;
  auto row = [&](const QString& label, const QString& name, Parse parse) {
    QLineEdit* edit = addField(name, std::move(parse), &error);
    fields_.back().photo = true;
    rows->addRow(label, cell(edit, error));
  };
  row(tr("Frames"), "photoFrames", parseFrames);
  row(tr("FPS"), "photoFps", parseFps);
  row(tr("Duration (s)"), "photoDuration", parseDuration);
  row(tr("Motion"), "photoMotion", parseMotion);
  restore_ = new QCheckBox(tr("Restore old photo"));
  restore_->setObjectName("restorePhoto");
  restore_->setToolTip(tr("Remove noise, dust and scratches and fix faded contrast before animating"));
  rows->addRow(restore_);
  auto* animate = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Animate"));
  animate->setObjectName("animate");
  animate->setToolTip(tr("Make a clip that starts from this photo, on the video track under it"));
  connect(animate, &QPushButton::clicked, this, [this] {
    // A field still being typed in counts, as when Enter was pressed.
    for (Field& field : fields_)
      if (field.photo && field.edit->hasFocus()) commitField(field);
    emit animateRequested(item_);
  });
  rows->addRow(animate);
  return form;
}

bool InspectorWidget::restorePhoto() const { return restore_->isChecked(); }

void InspectorWidget::setDocument(timeline::Document* document) {
  if (document_) disconnect(document_, nullptr, this, nullptr);
  document_ = document;
  if (document_) {
    connect(document_, &timeline::Document::itemChanged, this, [this](qint64 id) { if (id == item_) reload(); });
    connect(document_, &timeline::Document::itemRemoved, this, [this](qint64 id) { if (id == item_) showItem(0); });
  }
  showItem(0);
}

void InspectorWidget::setModelNames(const QStringList& names) {
  const QString chosen = model_->currentText();
  model_->clear();
  model_->addItems(names);
  model_->setCurrentText(chosen);
}

QString InspectorWidget::fieldError(const QString& field) const {
  for (const Field& candidate : fields_)
    if (candidate.name == field) return candidate.error->isHidden() ? QString() : candidate.error->text();
  return {};
}

void InspectorWidget::showItem(qint64 item) {
  if (textTimer_->isActive()) commitText();  // the pending prompt belongs to the item we are leaving
  item_ = item;
  reload();
}

const GenerationSettings* InspectorWidget::current() const {
  const timeline::Item* item = document_ ? document_->item(item_) : nullptr;
  const auto* prompt = item ? std::get_if<timeline::PromptPayload>(&item->payload) : nullptr;
  return prompt ? &prompt->settings : nullptr;
}

void InspectorWidget::setField(const QString& name, const QString& value) {
  for (Field& field : fields_)
    if (field.name == name) {
      field.edit->setText(value);
      setError(field.error, field.edit, {});
    }
}

void InspectorWidget::reloadPhoto() {
  loading_ = true;
  const timeline::Item* item = document_->item(item_);
  const auto rate = document_->settings().frameRate;
  photoTitle_->setText(tr("Photo %1 · %2 s at %3 s — animate it into a clip")
                           .arg(item_)
                           .arg(rate.toSeconds(item->duration).toDouble(), 0, 'f', 1)
                           .arg(rate.toSeconds(item->start).toDouble(), 0, 'f', 1));
  setField("photoFrames", QString::number(photo_.frames));
  setField("photoFps", QString::fromStdString(photo_.fps.toString()));
  setField("photoDuration", QString::number(photo_.frames / photo_.fps.toDouble(), 'f', 2));
  setField("photoMotion", QString::number(photo_.motionAmount));
  loading_ = false;
}

void InspectorWidget::reload() {
  const GenerationSettings* settings = current();
  const bool photo = !settings && document_ && document_->item(item_) && animatable_ && animatable_(item_);
  pages_->setCurrentIndex(settings ? 1 : photo ? 2 : 0);
  if (photo) return reloadPhoto();
  if (!settings) return;
  loading_ = true;
  const timeline::Item* item = document_->item(item_);
  const auto rate = document_->settings().frameRate;
  title_->setText(tr("Prompt item %1 · %2 s at %3 s")
                      .arg(item_)
                      .arg(rate.toSeconds(item->duration).toDouble(), 0, 'f', 1)
                      .arg(rate.toSeconds(item->start).toDouble(), 0, 'f', 1));
  // Only replace text that differs, so a reload after our own edit keeps the cursor where the user is typing.
  auto setText = [](QPlainTextEdit* edit, const std::string& value) {
    const QString text = QString::fromStdString(value);
    if (edit->toPlainText() != text) edit->setPlainText(text);
  };
  setText(prompt_, settings->prompt);
  setText(negative_, settings->negativePrompt);
  model_->setCurrentText(QString::fromStdString(settings->model));
  sampler_->setCurrentText(QString::fromStdString(settings->sampler));
  seedLock_->setChecked(settings->seedLocked);
  setField("steps", QString::number(settings->steps));
  setField("cfg", QString::number(settings->cfg));
  setField("seed", QString::number(settings->seed));
  setField("width", QString::number(settings->width));
  setField("height", QString::number(settings->height));
  setField("frames", QString::number(settings->frames));
  setField("fps", QString::fromStdString(settings->fps.toString()));
  setField("duration", QString::number(settings->frames / settings->fps.toDouble(), 'f', 2));
  setField("strength", QString::number(settings->strength));
  setField("motion", QString::number(settings->motionAmount));
  const auto referenceCount = static_cast<int>(settings->referenceImages.size());
  references_->setText(referenceCount == 0 ? tr("None (text to image or video)")
                                           : tr("%n image(s); the first is the first frame", nullptr, referenceCount));
  setError(textError_, negative_, {});
  int preset = 0;
  for (int i = 1; i < static_cast<int>(kSizePresets.size()); ++i)
    if (kSizePresets[i].width == settings->width && kSizePresets[i].height == settings->height) preset = i;
  sizePreset_->setCurrentIndex(preset);
  loading_ = false;
}

void InspectorWidget::commitField(Field& field) {
  if (loading_) return;
  if (field.photo) {
    GenerationSettings edited = photo_;
    const QString why = field.parse(field.edit->text(), edited);
    setError(field.error, field.edit, why);
    if (why.isEmpty() && edited != photo_) {
      photo_ = edited;
      reloadPhoto();  // frames, fps and duration follow each other
    }
    return;
  }
  const GenerationSettings* settings = current();
  if (!settings) return;
  GenerationSettings edited = *settings;
  const QString why = field.parse(field.edit->text(), edited);
  setError(field.error, field.edit, why);
  if (!why.isEmpty() || edited == *settings) return;
  if (edited.frames == settings->frames && edited.fps == settings->fps) {
    apply(edited, field.error);
    return;
  }
  // Frames, fps and duration describe the item's length: the item is trimmed to match, in the same undo step.
  const timeline::Item* item = document_->item(item_);
  const auto rate = document_->settings().frameRate;
  const timeline::FrameTime length = rate.fromSeconds(
      timeline::Rational::reduced(std::int64_t(edited.frames) * edited.fps.den, edited.fps.num),
      timeline::Rounding::Nearest);
  timeline::EditMacro macro(*document_, tr("Change length"));
  if (length.frames >= 1 && length != item->duration) {
    const timeline::EditResult trimmed = document_->requestTrim(item_, timeline::Edge::End, item->start + length);
    if (!trimmed) {
      setError(field.error, field.edit, tr("The item cannot be %1 s long here: %2")
                                            .arg(rate.toSeconds(length).toDouble(), 0, 'f', 2)
                                            .arg(QString::fromStdString(trimmed.reason)));
      return;
    }
  }
  apply(edited, field.error);
}

void InspectorWidget::commitText() {
  textTimer_->stop();
  const GenerationSettings* settings = current();
  if (!settings || loading_) return;
  GenerationSettings edited = *settings;
  edited.prompt = prompt_->toPlainText().toStdString();
  edited.negativePrompt = negative_->toPlainText().toStdString();
  if (edited != *settings) apply(edited, textError_);
}

void InspectorWidget::commitChoice() {
  const GenerationSettings* settings = current();
  if (!settings || loading_) return;
  GenerationSettings edited = *settings;
  edited.model = model_->currentText().trimmed().toStdString();
  edited.sampler = sampler_->currentText().toStdString();
  edited.seedLocked = seedLock_->isChecked();
  if (edited != *settings) apply(edited, textError_);
}

void InspectorWidget::rollSeed() {
  const GenerationSettings* settings = current();
  if (!settings) return;
  GenerationSettings edited = *settings;
  edited.seed = static_cast<std::int64_t>(QRandomGenerator::global()->bounded(quint32(0x7fffffff)));
  apply(edited, fields_[2].error);
}

void InspectorWidget::choosePreset(int index) {
  const GenerationSettings* settings = current();
  if (!settings || index <= 0 || index >= static_cast<int>(kSizePresets.size())) return;
  GenerationSettings edited = *settings;
  edited.width = kSizePresets[index].width;
  edited.height = kSizePresets[index].height;
  if (edited != *settings) apply(edited, fields_[3].error);
}

bool InspectorWidget::apply(const GenerationSettings& settings, QLabel* error) {
  const timeline::EditResult result = document_->requestChangeGenerationSettings(item_, settings);
  if (!result) setError(error, nullptr, QString::fromStdString(result.reason));
  return result.ok;
}

void InspectorWidget::setError(QLabel* error, QWidget* editor, const QString& reason) {
  error->setText(reason);
  error->setVisible(!reason.isEmpty());
  if (editor) editor->setStyleSheet(reason.isEmpty() ? QString() : QStringLiteral("border: 1px solid #ec6058;"));
}

}  // namespace lanterna::ui
