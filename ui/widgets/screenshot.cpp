#include "ui/widgets/screenshot.h"

#include <QPixmap>
#include <QSaveFile>
#include <QWidget>

namespace condense::ui {

bool saveScreenshot(QWidget& widget, const QString& file)
{
    const QPixmap image = widget.grab();
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)) return false;
    if (!image.save(&out, "PNG")) {
        out.cancelWriting();
        return false;
    }
    return out.commit();
}

} // namespace condense::ui
