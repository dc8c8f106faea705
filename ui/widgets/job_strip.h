#pragma once
// JobStrip: the bottom strip listing every running job (JobRow) and, when idle, a one-line
// result of the last job. Cancel asks the JobRunner to stop the job; jobs running longer than
// kConfirmAfterMs ask for confirmation first (a decision, so a message box, opened non-modally).
#include <QFrame>

#include <map>

#include "ui/jobs/job_types.h"

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace condense::ui {

class JobRow;
class JobRunner;

class JobStrip : public QFrame {
    Q_OBJECT
public:
    static constexpr qint64 kConfirmAfterMs = 10'000;

    explicit JobStrip(JobRunner& runner, QWidget* parent = nullptr);

    int rowCount() const { return static_cast<int>(m_rows.size()); }
    JobRow* row(JobId id) const;
    QString lastResultText() const;

    // A finished job whose outcome is on the Results page: the strip offers a link to it.
    void offerResults(JobId id);
    bool isOfferingResults() const;

    // Esc: cancels the job whose row has focus, else the newest job. Returns false when idle.
    bool cancelFocusedJob();
    void requestCancel(JobId id);

Q_SIGNALS:
    void resultsRequested();

protected:
    void changeEvent(QEvent* event) override;

private:
    void onStarted(JobId id, const QString& title);
    void onProgress(JobId id, const JobProgress& progress);
    void onEnded(JobId id);
    void setLastResult(JobId id, const QString& text);
    void updateIdle();

    JobRunner& m_runner;
    QLabel* m_header = nullptr;
    QLabel* m_idle = nullptr;
    QVBoxLayout* m_rowsLayout = nullptr;
    std::map<JobId, JobRow*> m_rows;
    QString m_lastResult;
    JobId m_lastResultJob = 0;
    JobId m_offered = 0;
    QPushButton* m_resultsLink = nullptr;
    void retranslate();
};

} // namespace condense::ui
