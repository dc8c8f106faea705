#include "ui/widgets/profile_card.h"

#include <QContextMenuEvent>
#include <QLocale>

#include <cmath>
#include <QDragEnterEvent>
#include <QKeyEvent>
#include <QMenu>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QStyleOptionFocusRect>
#include <QStylePainter>

#include "ui/i18n/number_format.h"
#include "ui/widgets/dropped_path.h"

namespace condense::ui {

ProfileCard::ProfileCard(std::optional<plan::HardwareProfile> profile, QWidget* parent)
    : QAbstractButton(parent), m_profile(std::move(profile))
{
    setCheckable(!isAddCard());
    setFocusPolicy(Qt::StrongFocus);
    setAcceptDrops(!isAddCard());
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    if (m_profile) setObjectName(QStringLiteral("profileCard-") + QString::fromStdString(m_profile->id));
    else setObjectName(QStringLiteral("addProfileCard"));
    retranslate();
}

QString ProfileCard::memoryText() const
{
    if (!m_profile) return {};
    const auto& p = *m_profile;
    // Memory sizes as vendors state them: binary gigabytes ("16 GB" of RAM is 16 GiB).
    const auto gib = [](std::uint64_t bytes) -> QString {
        const double g = static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0);
        return QLocale().toString(g, 'f', g == std::floor(g) ? 0 : 1) + QStringLiteral(" GiB");
    };
    switch (p.kind) {
    case plan::DeviceKind::Cpu: return tr("%1 RAM").arg(gib(p.ram.totalBytes));
    case plan::DeviceKind::Apple: return tr("%1 unified").arg(gib(p.unified.totalBytes));
    case plan::DeviceKind::Gpu: return tr("%1 VRAM + %2 RAM").arg(gib(p.vram.totalBytes), gib(p.ram.totalBytes));
    }
    return {};
}

QString ProfileCard::prefersText() const
{
    if (!m_profile || m_profile->preferredFormats.empty()) return {};
    QStringList f;
    for (const auto& s : m_profile->preferredFormats) f << QString::fromStdString(s);
    return f.join(QStringLiteral(" · "));
}

void ProfileCard::retranslate()
{
    if (!m_profile) {
        setText(tr("Add profile…"));
        setToolTip(tr("Describe another machine: its memory, bandwidth and the formats it prefers"));
        setAccessibleName(text());
        return;
    }
    setText(QString::fromStdString(m_profile->name));
    QString tip = QString::fromStdString(m_profile->name) + QLatin1Char('\n') + memoryText();
    const QString prefers = prefersText();
    if (!prefers.isEmpty()) tip += QLatin1Char('\n') + tr("Prefers %1").arg(prefers);
    if (!m_profile->notes.empty()) tip += QLatin1Char('\n') + QString::fromStdString(m_profile->notes);
    tip += QLatin1Char('\n') + tr("Drop a model here to quantize it for this machine and test the result.");
    setToolTip(tip);
    setAccessibleName(text());
    setAccessibleDescription(tip);
}

QSize ProfileCard::sizeHint() const
{
    const int h = fontMetrics().height();
    return {isAddCard() ? 110 : 220, 4 * h + 24};
}

void ProfileCard::paintIcon(QPainter& p, const QRect& r, const QColor& ink) const
{
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(ink, 1.6));
    p.setBrush(Qt::NoBrush);
    const QRectF b = QRectF(r).adjusted(3, 3, -3, -3);
    if (isAddCard()) {
        p.drawLine(QPointF(b.center().x(), b.top()), QPointF(b.center().x(), b.bottom()));
        p.drawLine(QPointF(b.left(), b.center().y()), QPointF(b.right(), b.center().y()));
    } else if (m_profile->kind == plan::DeviceKind::Gpu) {
        // A graphics card: a board with two fans.
        p.drawRoundedRect(b.adjusted(0, b.height() * 0.2, 0, -b.height() * 0.2), 2, 2);
        const double fr = b.height() * 0.2;
        p.drawEllipse(QPointF(b.left() + b.width() * 0.3, b.center().y()), fr, fr);
        p.drawEllipse(QPointF(b.left() + b.width() * 0.7, b.center().y()), fr, fr);
    } else if (m_profile->kind == plan::DeviceKind::Apple) {
        // A laptop with one chip: screen and base.
        p.drawRoundedRect(QRectF(b.left() + b.width() * 0.12, b.top() + b.height() * 0.12, b.width() * 0.76, b.height() * 0.55), 2, 2);
        p.drawLine(QPointF(b.left(), b.bottom() - b.height() * 0.18), QPointF(b.right(), b.bottom() - b.height() * 0.18));
    } else {
        // A processor: a square die with pins.
        const QRectF die = b.adjusted(b.width() * 0.22, b.height() * 0.22, -b.width() * 0.22, -b.height() * 0.22);
        p.drawRect(die);
        for (int i = 0; i < 3; ++i) {
            const double t = die.left() + die.width() * (0.25 + 0.25 * i);
            const double s = die.top() + die.height() * (0.25 + 0.25 * i);
            p.drawLine(QPointF(t, b.top()), QPointF(t, die.top()));
            p.drawLine(QPointF(t, die.bottom()), QPointF(t, b.bottom()));
            p.drawLine(QPointF(b.left(), s), QPointF(die.left(), s));
            p.drawLine(QPointF(die.right(), s), QPointF(b.right(), s));
        }
    }
    p.restore();
}

void ProfileCard::paintEvent(QPaintEvent*)
{
    QStylePainter p(this);
    const QRect r = rect().adjusted(1, 1, -2, -2);
    const QPalette& pal = palette();
    QColor fill = pal.color(QPalette::Base);
    QColor border = pal.color(QPalette::Mid);
    if (isChecked()) {
        fill = pal.color(QPalette::Highlight).lighter(185);
        border = pal.color(QPalette::Highlight);
    }
    if (m_dragOver) {
        fill = pal.color(QPalette::Highlight).lighter(160);
        border = pal.color(QPalette::Highlight);
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(border, isChecked() || m_dragOver ? 2.0 : 1.0));
    p.setBrush(fill);
    p.drawRoundedRect(r, 6, 6);
    const int h = fontMetrics().height();
    const bool lightFill = fill.lightness() > 128;
    const QColor ink = lightFill ? QColor(Qt::black) : QColor(Qt::white);
    if (isAddCard()) {
        paintIcon(p, QRect(r.center().x() - h, r.top() + 10, 2 * h, 2 * h), ink);
        p.setPen(ink);
        p.drawText(QRect(r.left() + 4, r.top() + 14 + 2 * h, r.width() - 8, h + 4), Qt::AlignHCenter | Qt::AlignVCenter, text());
    } else {
        paintIcon(p, QRect(r.left() + 8, r.top() + 8, 2 * h, 2 * h), ink);
        QFont bold = font();
        bold.setBold(true);
        p.setFont(bold);
        p.setPen(ink);
        // The name on at most two lines beside the icon; the whole name is in the tooltip.
        const QRect nameRect(r.left() + 16 + 2 * h, r.top() + 6, r.width() - 24 - 2 * h, 2 * h + 4);
        const QFontMetrics bm(bold);
        QString first = text(), second;
        if (bm.horizontalAdvance(first) > nameRect.width()) {
            int cut = static_cast<int>(first.size());
            while (cut > 0 && (first.at(cut - 1) != QLatin1Char(' ') || bm.horizontalAdvance(first.left(cut - 1)) > nameRect.width())) --cut;
            if (cut > 0) {
                second = first.mid(cut);
                first = first.left(cut - 1);
            }
        }
        p.drawText(QRect(nameRect.left(), nameRect.top(), nameRect.width(), h + 2), Qt::AlignLeft | Qt::AlignVCenter,
                   bm.elidedText(first, Qt::ElideRight, nameRect.width()));
        if (!second.isEmpty())
            p.drawText(QRect(nameRect.left(), nameRect.top() + h + 2, nameRect.width(), h + 2), Qt::AlignLeft | Qt::AlignVCenter,
                       bm.elidedText(second, Qt::ElideRight, nameRect.width()));
        p.setFont(font());
        const QRect memRect(r.left() + 8, r.top() + 12 + 2 * h, r.width() - 16, h);
        p.drawText(memRect, Qt::AlignLeft | Qt::AlignVCenter, fontMetrics().elidedText(memoryText(), Qt::ElideRight, memRect.width()));
        QColor dim = ink;
        dim.setAlphaF(0.7);
        p.setPen(dim);
        const QString prefers = m_dragOver ? tr("Drop to quantize for this machine") : prefersText();
        const QRect prefRect(r.left() + 8, r.top() + 14 + 3 * h, r.width() - 16, h);
        p.drawText(prefRect, Qt::AlignLeft | Qt::AlignVCenter, fontMetrics().elidedText(prefers, Qt::ElideRight, prefRect.width()));
    }
    if (hasFocus()) {
        QStyleOptionFocusRect o;
        o.initFrom(this);
        o.rect = r.adjusted(3, 3, -3, -3);
        p.drawPrimitive(QStyle::PE_FrameFocusRect, o);
    }
}

void ProfileCard::dragEnterEvent(QDragEnterEvent* event)
{
    const DroppedPath d = classifyDrop(event->mimeData());
    if (isAddCard() || d.kind == DropKind::None || d.kind == DropKind::Pickle) return;
    event->acceptProposedAction();
    m_dragOver = true;
    update();
}

void ProfileCard::dragLeaveEvent(QDragLeaveEvent* event)
{
    m_dragOver = false;
    update();
    QAbstractButton::dragLeaveEvent(event);
}

void ProfileCard::dropEvent(QDropEvent* event)
{
    m_dragOver = false;
    update();
    const DroppedPath d = classifyDrop(event->mimeData());
    if (d.kind == DropKind::None || d.kind == DropKind::Pickle) return;
    event->acceptProposedAction();
    Q_EMIT modelDropped(d.path);
}

void ProfileCard::contextMenuEvent(QContextMenuEvent* event)
{
    if (isAddCard()) return;
    QMenu menu(this);
    menu.addAction(tr("Edit profile…"), this, &ProfileCard::editRequested);
    menu.exec(event->globalPos());
}

void ProfileCard::keyPressEvent(QKeyEvent* event)
{
    // Left/Right move between the cards as between radio buttons; Space or Enter picks one.
    switch (event->key()) {
    case Qt::Key_Left:
    case Qt::Key_Up: focusNextPrevChild(false); return;
    case Qt::Key_Right:
    case Qt::Key_Down: focusNextPrevChild(true); return;
    case Qt::Key_Return:
    case Qt::Key_Enter: click(); return;
    default: QAbstractButton::keyPressEvent(event);
    }
}

void ProfileCard::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QAbstractButton::changeEvent(event);
}

} // namespace condense::ui
