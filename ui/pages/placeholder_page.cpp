#include "ui/pages/placeholder_page.h"

#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>

namespace condense::ui {

PlaceholderPage::PlaceholderPage(std::function<QString()> title, std::function<QString()> text, QWidget* parent)
    : QWidget(parent), m_titleFn(std::move(title)), m_textFn(std::move(text))
{
    m_title = new QLabel(this);
    QFont f = m_title->font();
    f.setBold(true);
    f.setPointSizeF(f.pointSizeF() * 1.2);
    m_title->setFont(f);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setForegroundRole(QPalette::PlaceholderText);
    m_text->setMaximumWidth(560);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 24, 24, 24);
    layout->addWidget(m_title);
    layout->addWidget(m_text);
    layout->addStretch();
    retranslate();
}

void PlaceholderPage::retranslate()
{
    m_title->setText(m_titleFn());
    m_text->setText(m_textFn());
}

void PlaceholderPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

} // namespace condense::ui
