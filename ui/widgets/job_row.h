#pragma once
// JobRow: one running job in the job strip: title, stage, progress bar, current item,
// percent, ETA and Cancel. Focusable; Esc on a focused row asks to cancel its job.
#include <QElapsedTimer>
#include <QFrame>

#include "ui/jobs/job_types.h"

class QLabel;
class QProgressBar;
class QToolButton;

namespace condense::ui {

class JobRow : public QFrame {
    Q_OBJECT
public:
    JobRow(JobId id, const QString& title, QWidget* parent = nullptr);

    JobId id() const { return m_id; }
    QString title() const { return m_title; }
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    void setProgress(const JobProgress& progress);
    const JobProgress& lastProgress() const { return m_progress; }

    QString stageText() const;
    QString percentText() const;
    QString etaText() const;

    // ETA in ms from elapsed time and fraction done; -1 while it cannot be estimated.
    static qint64 estimateRemainingMs(qint64 elapsedMs, double fraction);

Q_SIGNALS:
    void cancelRequested(condense::ui::JobId id);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void focusInEvent(QFocusEvent* event) override;
    void focusOutEvent(QFocusEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void refresh();
    void fixSizes();

    JobId m_id;
    QString m_title;
    bool m_hasProgress = false;
    JobProgress m_progress;
    QElapsedTimer m_clock;
    QLabel* m_titleLabel = nullptr;
    QLabel* m_stage = nullptr;
    QProgressBar* m_bar = nullptr;
    QLabel* m_item = nullptr;
    QLabel* m_percent = nullptr;
    QLabel* m_eta = nullptr;
    QToolButton* m_cancel = nullptr;
};

} // namespace condense::ui
