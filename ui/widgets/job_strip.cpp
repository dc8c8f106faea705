#include "ui/widgets/job_strip.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

#include "ui/i18n/number_format.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/job_row.h"

namespace condense::ui {

namespace {
QString shortDuration(qint64 ms)
{
    if (ms < 100) return QStringLiteral("< ") + QLocale().toString(0.1, 'f', 1) + QStringLiteral(" s");
    if (ms < 60'000) return QLocale().toString(static_cast<double>(ms) / 1000.0, 'f', 1) + QStringLiteral(" s");
    return formatDuration(ms);
}
} // namespace

JobStrip::JobStrip(JobRunner& runner, QWidget* parent) : QFrame(parent), m_runner(runner)
{
    setObjectName(QStringLiteral("jobStrip"));
    setFrameShape(QFrame::StyledPanel);

    m_header = new QLabel(this);
    QFont f = m_header->font();
    f.setBold(true);
    m_header->setFont(f);
    m_header->setForegroundRole(QPalette::PlaceholderText);

    m_idle = new QLabel(this);
    m_idle->setObjectName(QStringLiteral("jobStripIdle"));
    m_idle->setForegroundRole(QPalette::PlaceholderText);
    m_idle->setTextFormat(Qt::PlainText);
    m_idle->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred); // a long line never widens the window
    // As tall as a job row, so the window does not jump when a job starts or ends.
    m_idle->setMinimumHeight(JobRow(0, QString()).sizeHint().height());

    m_rowsLayout = new QVBoxLayout;
    m_rowsLayout->setContentsMargins(0, 0, 0, 0);
    m_rowsLayout->setSpacing(0);
    m_rowsLayout->addWidget(m_idle);

    m_resultsLink = new QPushButton(this);
    m_resultsLink->setObjectName(QStringLiteral("showResultsButton"));
    m_resultsLink->setFlat(true);
    m_resultsLink->hide();
    connect(m_resultsLink, &QPushButton::clicked, this, &JobStrip::resultsRequested);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->addWidget(m_header, 0, Qt::AlignVCenter | Qt::AlignLeft);
    layout->addSpacing(8);
    layout->addLayout(m_rowsLayout, 1);
    layout->addWidget(m_resultsLink, 0, Qt::AlignVCenter | Qt::AlignRight);

    connect(&m_runner, &JobRunner::started, this, &JobStrip::onStarted);
    connect(&m_runner, &JobRunner::progress, this, &JobStrip::onProgress);
    connect(&m_runner, &JobRunner::finished, this, [this](JobId id, const QVariant&) {
        if (JobRow* r = row(id)) setLastResult(id, tr("%1: done in %2").arg(r->title(), shortDuration(r->elapsedMs())));
    });
    connect(&m_runner, &JobRunner::failed, this, [this](JobId id, const Error&) {
        // The why is in the error banner; the strip only keeps the outcome.
        if (JobRow* r = row(id)) setLastResult(id, tr("%1: failed").arg(r->title()));
    });
    connect(&m_runner, &JobRunner::cancelled, this, [this](JobId id) {
        if (JobRow* r = row(id)) setLastResult(id, tr("%1: cancelled").arg(r->title()));
    });
    connect(&m_runner, &JobRunner::ended, this, &JobStrip::onEnded);

    retranslate();
    updateIdle();
}

void JobStrip::retranslate()
{
    m_header->setText(tr("Jobs"));
    m_resultsLink->setText(tr("Show results"));
}

void JobStrip::offerResults(JobId id)
{
    m_offered = id;
    updateIdle();
}

bool JobStrip::isOfferingResults() const { return m_resultsLink->isVisibleTo(const_cast<JobStrip*>(this)); }

JobRow* JobStrip::row(JobId id) const
{
    auto it = m_rows.find(id);
    return it == m_rows.end() ? nullptr : it->second;
}

QString JobStrip::lastResultText() const { return m_lastResult; }

void JobStrip::onStarted(JobId id, const QString& title)
{
    if (m_runner.isQuiet(id)) return;
    auto* r = new JobRow(id, title, this);
    connect(r, &JobRow::cancelRequested, this, &JobStrip::requestCancel);
    m_rows.emplace(id, r);
    m_rowsLayout->addWidget(r);
    updateIdle();
}

void JobStrip::onProgress(JobId id, const JobProgress& progress)
{
    if (JobRow* r = row(id)) r->setProgress(progress);
}

void JobStrip::onEnded(JobId id)
{
    auto it = m_rows.find(id);
    if (it == m_rows.end()) return;
    JobRow* r = it->second;
    m_rows.erase(it);
    m_rowsLayout->removeWidget(r);
    r->deleteLater();
    updateIdle();
}

void JobStrip::setLastResult(JobId id, const QString& text)
{
    m_lastResult = text;
    m_lastResultJob = id;
    updateIdle();
}

void JobStrip::updateIdle()
{
    m_idle->setVisible(m_rows.empty());
    m_idle->setText(m_lastResult.isEmpty() ? tr("No jobs running") : m_lastResult);
    m_resultsLink->setVisible(m_offered != 0 && m_offered == m_lastResultJob);
}

bool JobStrip::cancelFocusedJob()
{
    if (m_rows.empty()) return false;
    for (const auto& [id, r] : m_rows)
        if (r->hasFocus()) {
            requestCancel(id);
            return true;
        }
    requestCancel(m_rows.rbegin()->first);
    return true;
}

void JobStrip::requestCancel(JobId id)
{
    JobRow* r = row(id);
    if (!r) return;
    if (r->elapsedMs() < kConfirmAfterMs) {
        m_runner.cancel(id);
        return;
    }
    auto* box = new QMessageBox(QMessageBox::Question, tr("Cancel job"),
                                tr("“%1” has been running for %2. Cancel it?").arg(r->title(), formatDuration(r->elapsedMs())),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::No);
    connect(box, &QMessageBox::finished, this, [this, id](int result) {
        if (result == QMessageBox::Yes) m_runner.cancel(id);
    });
    box->open();
}

void JobStrip::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        updateIdle();
    }
    QFrame::changeEvent(event);
}

} // namespace condense::ui
