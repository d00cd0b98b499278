// Small pieces the widget tests share: the demo document's items by kind, and settings kept out of the user's.
#pragma once

#include <variant>

#include <QCoreApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QString>

#include "lanterna/timeline/document.h"

namespace lanterna::ui::testing {

// The studio saves layout, view state and model folders in QSettings: each test keeps them in its own folder.
inline void isolateSettings(const QString& application, const QString& folder) {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName("LanternaTest");
  QCoreApplication::setApplicationName(application);
  QSettings::setDefaultFormat(QSettings::IniFormat);
  QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, folder);
}

template <class Payload>
timeline::ItemId firstItemOf(const timeline::Document& document) {
  for (const timeline::Item& item : document.snapshot().items)
    if (std::holds_alternative<Payload>(item.payload)) return item.id;
  return 0;
}

template <class Payload>
int countOf(const timeline::Document& document) {
  int count = 0;
  for (const timeline::Item& item : document.snapshot().items) count += std::holds_alternative<Payload>(item.payload);
  return count;
}

}  // namespace lanterna::ui::testing
