#include "ui/widgets/dropped_path.h"

#include <QDir>
#include <QMimeData>
#include <QUrl>

namespace condense::ui {

DropKind classifyPath(const QString& path)
{
    QString clean = QDir::cleanPath(path);
    const QString name = clean.section(QLatin1Char('/'), -1);
    const qsizetype dot = name.lastIndexOf(QLatin1Char('.'));
    if (dot <= 0) return DropKind::Folder; // no extension (or a hidden name like ".models")
    const QString ext = name.mid(dot + 1).toLower();
    if (ext == QLatin1String("gguf")) return DropKind::Gguf;
    if (ext == QLatin1String("safetensors")) return DropKind::Safetensors;
    if (ext == QLatin1String("bin") || ext == QLatin1String("pt") || ext == QLatin1String("pth") ||
        ext == QLatin1String("ckpt") || ext == QLatin1String("pkl") || ext == QLatin1String("pickle"))
        return DropKind::Pickle;
    return DropKind::Unknown;
}

DroppedPath classifyDrop(const QMimeData* mime)
{
    DroppedPath d;
    if (!mime || !mime->hasUrls()) return d;
    for (const QUrl& url : mime->urls()) {
        if (!url.isLocalFile()) continue;
        const QString p = url.toLocalFile();
        if (p.isEmpty()) continue;
        if (d.localCount == 0) {
            d.path = QDir::cleanPath(p);
            d.kind = classifyPath(d.path);
        }
        ++d.localCount;
    }
    return d;
}

} // namespace condense::ui
