#include "ui/widgets/job_row.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

#include <algorithm>
#include <cmath>

#include "ui/i18n/error_text.h"
#include "ui/i18n/number_format.h"

namespace condense::ui {

JobRow::JobRow(JobId id, const QString& title, QWidget* parent) : QFrame(parent), m_id(id), m_title(title)
{
    m_clock.start();
    setObjectName(QStringLiteral("jobRow"));
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);

    m_titleLabel = new QLabel(this);
    QFont bold = m_titleLabel->font();
    bold.setBold(true);
    m_titleLabel->setFont(bold);
    // A long title is elided (whole in the tooltip): a job never widens the window.
    const int maxTitle = QFontMetrics(bold).horizontalAdvance(QLatin1Char('m')) * 32;
    m_titleLabel->setText(QFontMetrics(bold).elidedText(title, Qt::ElideRight, maxTitle));
    m_titleLabel->setToolTip(title);
    m_stage = new QLabel(this);
    m_bar = new QProgressBar(this);
    m_bar->setRange(0, 1000);
    m_bar->setTextVisible(false);
    m_bar->setMinimumWidth(160);
    m_bar->setMaximumHeight(14);
    m_item = new QLabel(this);
    m_item->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_percent = new QLabel(this);
    m_percent->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_eta = new QLabel(this);
    m_cancel = new QToolButton(this);
    m_cancel->setObjectName(QStringLiteral("jobCancelButton"));
    connect(m_cancel, &QToolButton::clicked, this, [this]() { Q_EMIT cancelRequested(m_id); });

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 2);
    layout->addWidget(m_titleLabel);
    layout->addWidget(m_stage);
    layout->addWidget(m_bar, 1);
    layout->addWidget(m_item);
    layout->addWidget(m_percent);
    layout->addWidget(m_eta);
    layout->addWidget(m_cancel);
    fixSizes();
    refresh();
}

// Labels whose text changes with every report get a fixed size, so that a progress update
// repaints the row instead of re-laying out the whole window.
void JobRow::fixSizes()
{
    const QFontMetrics fm(font());
    const int h = fm.height() + 4;
    int stage = fm.horizontalAdvance(tr("Starting"));
    for (int s = 0; s <= static_cast<int>(jobs::kLastStage); ++s)
        stage = std::max(stage, fm.horizontalAdvance(ErrorText::stageText(static_cast<jobs::Stage>(s))));
    m_stage->setFixedSize(stage + 8, h);
    m_percent->setFixedSize(fm.horizontalAdvance(QStringLiteral("100%")) + 6, h);
    const int eta = std::max(fm.horizontalAdvance(tr("ETA –")), fm.horizontalAdvance(tr("ETA %1").arg(QStringLiteral("00:00:00"))));
    m_eta->setFixedSize(eta + 6, h);
    m_item->setFixedSize(QFontMetrics(m_item->font()).horizontalAdvance(QLatin1Char('m')) * 28, QFontMetrics(m_item->font()).height() + 4);
}

qint64 JobRow::estimateRemainingMs(qint64 elapsedMs, double fraction)
{
    // Too early to say anything honest: the first percent of a job is mostly start-up.
    if (fraction <= 0.01 || elapsedMs < 500) return -1;
    if (fraction >= 1.0) return 0;
    return static_cast<qint64>(std::llround(static_cast<double>(elapsedMs) * (1.0 - fraction) / fraction));
}

void JobRow::setProgress(const JobProgress& progress)
{
    m_progress = progress;
    m_hasProgress = true;
    refresh();
}

QString JobRow::stageText() const { return m_hasProgress ? ErrorText::stageText(m_progress.stage) : tr("Starting"); }

QString JobRow::percentText() const
{
    const double f = m_progress.fraction();
    return f < 0 ? QStringLiteral("…") : formatPercent(f);
}

QString JobRow::etaText() const
{
    // Core's estimate over the whole job when it gives one; else from this stage's share.
    const qint64 eta = m_progress.overall >= 0 ? m_progress.etaMs : estimateRemainingMs(m_progress.elapsedMs, m_progress.fraction());
    return eta < 0 ? tr("ETA –") : tr("ETA %1").arg(formatDuration(eta));
}

void JobRow::refresh()
{
    m_stage->setText(stageText());
    const double f = m_progress.fraction();
    if (f < 0) {
        m_bar->setRange(0, 0); // busy indicator while the total is unknown
    } else {
        m_bar->setRange(0, 1000);
        m_bar->setValue(static_cast<int>(f * 1000));
    }
    m_item->setText(QFontMetrics(m_item->font()).elidedText(m_progress.item, Qt::ElideMiddle, m_item->width()));
    m_item->setToolTip(m_progress.item);
    m_percent->setText(percentText());
    m_eta->setText(etaText());
    m_cancel->setText(tr("Cancel"));
    m_cancel->setToolTip(tr("Cancel this job (Esc)"));
}

void JobRow::keyPressEvent(QKeyEvent* event)
{
    if (event->key() == Qt::Key_Escape) {
        Q_EMIT cancelRequested(m_id);
        event->accept();
        return;
    }
    QFrame::keyPressEvent(event);
}

void JobRow::focusInEvent(QFocusEvent* event)
{
    setFrameShape(QFrame::Box);
    QFrame::focusInEvent(event);
}

void JobRow::focusOutEvent(QFocusEvent* event)
{
    setFrameShape(QFrame::NoFrame);
    QFrame::focusOutEvent(event);
}

void JobRow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        fixSizes();
        refresh();
    }
    QFrame::changeEvent(event);
}

} // namespace condense::ui
