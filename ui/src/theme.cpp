#include "lanterna/ui/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace lanterna::ui {

namespace {

QPalette darkPalette() {
  QPalette palette;
  palette.setColor(QPalette::Window, theme::kWindow);
  palette.setColor(QPalette::WindowText, theme::kText);
  palette.setColor(QPalette::Base, theme::kBase);
  palette.setColor(QPalette::AlternateBase, theme::kPanel);
  palette.setColor(QPalette::ToolTipBase, theme::kPanel);
  palette.setColor(QPalette::ToolTipText, theme::kText);
  palette.setColor(QPalette::PlaceholderText, theme::kMutedText);
  palette.setColor(QPalette::Text, theme::kText);
  palette.setColor(QPalette::Button, theme::kPanel);
  palette.setColor(QPalette::ButtonText, theme::kText);
  palette.setColor(QPalette::BrightText, theme::kError);
  palette.setColor(QPalette::Link, theme::kAccent);
  palette.setColor(QPalette::Highlight, theme::kAccent.darker(130));
  palette.setColor(QPalette::HighlightedText, Qt::black);
  palette.setColor(QPalette::Light, QColor(70, 72, 78));
  palette.setColor(QPalette::Midlight, QColor(58, 60, 65));
  palette.setColor(QPalette::Mid, QColor(32, 33, 36));
  palette.setColor(QPalette::Dark, QColor(22, 23, 25));
  palette.setColor(QPalette::Shadow, Qt::black);
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
    palette.setColor(QPalette::Disabled, role, theme::kMutedText.darker(130));
  return palette;
}

// Only spacing and the few things the palette cannot say; colours stay in the palette.
constexpr const char* kStyleSheet = R"(
QDockWidget { titlebar-close-icon: none; }
QDockWidget::title { padding: 5px 8px; background: #2b2c30; }
QMainWindow::separator { width: 3px; height: 3px; background: #1b1c1e; }
QToolBar { spacing: 4px; padding: 3px; border: none; }
QLabel#fieldError { color: #ec6058; }
QLabel#panelHint { color: #8c9098; padding: 12px; }
QListView, QTreeView { border: none; }
QListView::item { padding: 4px 6px; }
QPushButton { padding: 4px 10px; }
QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox, QPlainTextEdit { padding: 2px 4px; }
)";

}  // namespace

void applyDarkTheme(QApplication& application) {
  application.setStyle(QStyleFactory::create("Fusion"));
  application.setPalette(darkPalette());
  application.setStyleSheet(kStyleSheet);
}

}  // namespace lanterna::ui
