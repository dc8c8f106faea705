#include "ui/widgets/message_banner.h"

#include <QApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace condense::ui {

MessageBanner::MessageBanner(QWidget* parent) : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);

    m_icon = new QLabel(this);
    m_icon->setAlignment(Qt::AlignTop);
    m_headline = new QLabel(this);
    m_headline->setWordWrap(true);
    m_headline->setTextFormat(Qt::PlainText);
    m_headline->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_headline->font();
    bold.setBold(true);
    m_headline->setFont(bold);
    m_detail = new QLabel(this);
    m_detail->setWordWrap(true);
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close = new QToolButton(this);
    m_close->setAutoRaise(true);
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    connect(m_close, &QToolButton::clicked, this, &MessageBanner::dismiss);

    auto* text = new QVBoxLayout;
    text->setSpacing(2);
    text->addWidget(m_headline);
    text->addWidget(m_detail);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 8, 6, 8);
    layout->addWidget(m_icon, 0, Qt::AlignTop);
    layout->addLayout(text, 1);
    layout->addWidget(m_close, 0, Qt::AlignTop);

    m_close->setToolTip(tr("Dismiss"));
    hide();
}

void MessageBanner::showMessage(Kind kind, const QString& headline, const QString& detail)
{
    m_kind = kind;
    m_headline->setText(headline);
    m_detail->setText(detail);
    m_detail->setVisible(!detail.isEmpty());
    applyStyle();
    show();
}

void MessageBanner::dismiss()
{
    if (isHidden()) return;
    hide();
    Q_EMIT dismissed();
}

QString MessageBanner::headline() const { return m_headline->text(); }
QString MessageBanner::detail() const { return m_detail->text(); }
QString MessageBanner::text() const
{
    return m_detail->text().isEmpty() ? m_headline->text() : m_headline->text() + QLatin1Char('\n') + m_detail->text();
}

void MessageBanner::applyStyle()
{
    // Tints over the palette's window colour keep the banner readable in light and dark themes.
    const QColor base = QApplication::palette(this).color(QPalette::Window);
    const QColor tint = m_kind == Kind::Error ? QColor(220, 50, 40) : palette().color(QPalette::Highlight);
    const auto mix = [&](qreal a) {
        return QColor::fromRgbF(base.redF() * (1 - a) + tint.redF() * a, base.greenF() * (1 - a) + tint.greenF() * a,
                                base.blueF() * (1 - a) + tint.blueF() * a);
    };
    QPalette pal = QApplication::palette(this);
    pal.setColor(QPalette::Window, mix(0.16));
    setPalette(pal);
    const QStyle::StandardPixmap sp = m_kind == Kind::Error ? QStyle::SP_MessageBoxWarning : QStyle::SP_MessageBoxInformation;
    m_icon->setPixmap(style()->standardIcon(sp).pixmap(20, 20));
}

void MessageBanner::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) m_close->setToolTip(tr("Dismiss"));
    QFrame::changeEvent(event);
}

} // namespace condense::ui
