#include "ui/widgets/memory_fit_bar.h"

#include <QEvent>
#include <QPainter>

#include <algorithm>

#include "ui/i18n/number_format.h"

namespace condense::ui {

namespace {
constexpr int kBarHeight = 18;
constexpr int kRowGap = 8;
constexpr int kLabelWidth = 56;
// Part colours: distinct in hue and lightness (readable for the common colour-vision deficiencies).
const QColor kWeights(0x3b, 0x52, 0x8b), kKv(0x21, 0x91, 0x8c), kCompute(0x5e, 0xc9, 0x62), kOverhead(0xad, 0xad, 0xad);
} // namespace

MemoryFitBar::MemoryFitBar(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("memoryFitBar"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void MemoryFitBar::setPools(QVector<Pool> pools)
{
    m_pools = std::move(pools);
    refreshText();
    updateGeometry();
    update();
}

QString MemoryFitBar::summary() const
{
    QStringList lines;
    for (const Pool& p : m_pools) {
        const QString verdict = p.need() <= p.usable ? tr("fits") : tr("does not fit");
        lines << tr("%1: needs %2 of %3 usable (%4): weights %5, KV cache %6, compute %7, runtime %8")
                     .arg(p.name, formatBytes(p.need()), formatBytes(p.usable), verdict, formatBytes(p.weights), formatBytes(p.kvCache),
                          formatBytes(p.compute), formatBytes(p.overhead));
    }
    return lines.join(QLatin1Char('\n'));
}

void MemoryFitBar::refreshText()
{
    const QString text = summary();
    setToolTip(text);
    setAccessibleDescription(text);
}

QSize MemoryFitBar::sizeHint() const
{
    const int rows = std::max<int>(1, static_cast<int>(m_pools.size()));
    return {400, rows * (kBarHeight + kRowGap) + fontMetrics().height() + 4};
}

QSize MemoryFitBar::minimumSizeHint() const { return {200, sizeHint().height()}; }

void MemoryFitBar::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QRect area = rect().adjusted(0, 0, -1, -1);
    const int barLeft = kLabelWidth;
    const int barWidth = std::max(10, area.width() - barLeft - 4);
    const QColor text = palette().color(QPalette::Text);
    int y = 0;
    for (const Pool& pool : m_pools) {
        const double scale = static_cast<double>(std::max({pool.need(), pool.usable, pool.total, std::uint64_t{1}})) * 1.02;
        const auto px = [&](std::uint64_t bytes) { return static_cast<int>(static_cast<double>(bytes) / scale * barWidth); };
        p.setPen(text);
        p.drawText(QRect(0, y, kLabelWidth - 6, kBarHeight), Qt::AlignRight | Qt::AlignVCenter, pool.name);
        const QRect frame(barLeft, y, px(std::max(pool.total, pool.usable)), kBarHeight);
        p.fillRect(frame, palette().color(QPalette::AlternateBase));
        int x = barLeft;
        for (const auto& [bytes, colour] : {std::pair{pool.weights, kWeights}, std::pair{pool.kvCache, kKv}, std::pair{pool.compute, kCompute},
                                           std::pair{pool.overhead, kOverhead}}) {
            const int w = px(bytes);
            p.fillRect(QRect(x, y + 2, w, kBarHeight - 4), colour);
            x += w;
        }
        if (pool.need() > pool.usable) {
            // The part beyond the usable memory, hatched red.
            const int from = barLeft + px(pool.usable);
            p.fillRect(QRect(from, y + 2, x - from, kBarHeight - 4), QBrush(QColor(0xd0, 0x20, 0x20), Qt::BDiagPattern));
        }
        QPen marker(pool.need() > pool.usable ? QColor(0xd0, 0x20, 0x20) : text, 2);
        p.setPen(marker);
        const int ux = barLeft + px(pool.usable);
        p.drawLine(ux, y - 1, ux, y + kBarHeight + 1);
        p.setPen(palette().color(QPalette::Mid));
        p.drawRect(frame);
        y += kBarHeight + kRowGap;
    }
    // Legend.
    int x = barLeft;
    const int h = fontMetrics().height();
    for (const auto& [label, colour] : {std::pair{tr("weights"), kWeights}, std::pair{tr("KV cache"), kKv}, std::pair{tr("compute"), kCompute},
                                       std::pair{tr("runtime"), kOverhead}}) {
        p.fillRect(QRect(x, y + h / 4, h / 2, h / 2), colour);
        x += h / 2 + 4;
        p.setPen(text);
        const int w = fontMetrics().horizontalAdvance(label);
        p.drawText(QRect(x, y, w + 2, h), Qt::AlignLeft | Qt::AlignVCenter, label);
        x += w + 14;
    }
    p.setPen(text);
    const QString usable = tr("| usable memory");
    p.drawText(QRect(x, y, fontMetrics().horizontalAdvance(usable) + 2, h), Qt::AlignLeft | Qt::AlignVCenter, usable);
}

void MemoryFitBar::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) refreshText();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
