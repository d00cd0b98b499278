#include "lanterna/ui/clip_speed_menu.h"

#include <QActionGroup>
#include <QInputDialog>
#include <QMenu>
#include <QPointer>

#include "lanterna/timeline/clip_speed.h"

namespace lanterna::ui {

bool applySpeedText(timeline::Document& document, timeline::ItemId item, const QString& text, const RefusalSink& refused) {
  const auto speed = timeline::parseSpeed(text.trimmed().toStdString());
  if (!speed) {
    if (refused) refused(QObject::tr("“%1” is not a speed: try 50%, 2x or 1/3").arg(text));
    return false;
  }
  const timeline::EditResult result = document.requestSetSpeed(item, *speed);
  if (!result && refused) refused(QString::fromStdString(result.reason));
  return bool(result);
}

void addClipSpeedEntries(QMenu& menu, timeline::Document& document, timeline::ItemId item, QWidget* dialogParent,
                         RefusalSink refused) {
  const timeline::Item* clip = document.item(item);
  const auto* video = clip ? std::get_if<timeline::VideoPayload>(&clip->payload) : nullptr;
  if (!video) return;
  QPointer<timeline::Document> doc(&document);  // the menu may outlive a project switch
  const QString current = QString::fromStdString(timeline::speedText(video->speed));
  QAction* speed = menu.addAction(QObject::tr("Speed… (%1)").arg(current));
  speed->setObjectName("clipSpeedAction");
  QObject::connect(speed, &QAction::triggered, dialogParent, [doc, item, current, dialogParent, refused] {
    bool ok = false;
    const QString text = QInputDialog::getText(dialogParent, QObject::tr("Clip Speed"),
                                               QObject::tr("Speed (50% plays twice as long, 2x half as long):"),
                                               QLineEdit::Normal, current, &ok);
    if (ok && doc) applySpeedText(*doc, item, text, refused);
  });

  QMenu* conform = menu.addMenu(QObject::tr("Conform"));
  conform->setObjectName("clipConformMenu");
  auto* group = new QActionGroup(conform);
  const std::pair<timeline::ConformMode, QString> modes[] = {
      {timeline::ConformMode::Repeat, QObject::tr("Repeat frames")},
      {timeline::ConformMode::Interpolate, QObject::tr("Optical flow")}};
  for (const auto& [mode, label] : modes) {
    QAction* action = conform->addAction(label);
    action->setObjectName(mode == timeline::ConformMode::Repeat ? "conformRepeatAction" : "conformFlowAction");
    action->setCheckable(true);
    action->setChecked(video->conform == mode);
    group->addAction(action);
    QObject::connect(action, &QAction::triggered, conform, [doc, item, mode = mode, refused] {
      if (!doc) return;
      if (auto result = doc->requestSetConform(item, mode); !result && refused)
        refused(QString::fromStdString(result.reason));
    });
  }
}

}  // namespace lanterna::ui
