#pragma once
// A PNG of a widget (the GUI's --screenshot option), written as every file Condense writes:
// to a temporary file beside the target, renamed over it only once complete (QSaveFile, Qt's
// counterpart of core/io/atomic_file.h), so a failed or interrupted save leaves nothing behind.

#include <QString>

class QWidget;

namespace condense::ui {

// False when the PNG cannot be written (the target is left as it was).
bool saveScreenshot(QWidget& widget, const QString& file);

} // namespace condense::ui
