#pragma once
// JobRunner: the one bridge between core's long jobs and the Qt event loop.
//
// Every job runs on its own std::jthread with that thread's stop token. The job reports
// through a ProgressSink; the runner coalesces reports (at most one queued delivery per job in
// flight, throttled to ~50 ms by core's ThrottledSink) and posts them to the GUI thread with
// queued invocations. The outcome is delivered by value on the GUI thread as exactly one of
// finished / failed / cancelled, followed by ended.
//
// Jobs started with the same non-empty `slot` supersede each other (a generation id per slot):
// starting a new "open-model" job asks the previous one to stop and drops its result, so a
// slow old open can never overwrite a newer model. Superseded jobs only emit ended.
//
// The GUI thread never waits for a job: no processEvents(), no waitForFinished(). The only join
// happens after a job has posted its outcome (its thread is at its last instruction) and in the
// destructor, which asks every job to stop first.
#include <QObject>
#include <QString>
#include <QVariant>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "ui/jobs/job_types.h"

namespace condense::ui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    using Work = std::function<Result<QVariant>(jobs::ProgressSink&, std::stop_token)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;
    JobRunner(const JobRunner&) = delete;
    JobRunner& operator=(const JobRunner&) = delete;

    // Starts `work` on a new thread. `title` is shown in the job strip (already translated).
    // A quiet job (quick bookkeeping: reading profiles, planning) is not listed in the strip;
    // its outcome still arrives through the signals.
    JobId start(const QString& title, const QString& slot, Work work, bool quiet = false);

    // Typed convenience: `fn(ProgressSink&, std::stop_token)` returns Result<T>; the value
    // arrives in finished() as a QVariant holding T.
    template <typename Fn>
    JobId startTyped(const QString& title, const QString& slot, Fn fn, bool quiet = false)
    {
        return start(title, slot, [fn = std::move(fn)](jobs::ProgressSink& sink, std::stop_token stop) mutable -> Result<QVariant> {
            auto r = fn(sink, stop);
            if (!r.ok()) return std::move(r).error();
            return QVariant::fromValue(std::move(r).value());
        }, quiet);
    }

    // Asks the job to stop; it ends with cancelled() once its work returns.
    void cancel(JobId id);
    void cancelAll();

    bool isRunning(JobId id) const;
    std::vector<JobId> runningJobs() const;
    QString title(JobId id) const;
    bool isQuiet(JobId id) const;
    // Milliseconds since the job started (0 for unknown ids).
    qint64 elapsedMs(JobId id) const;

Q_SIGNALS:
    void started(condense::ui::JobId id, const QString& title);
    void progress(condense::ui::JobId id, const condense::ui::JobProgress& progress);
    void finished(condense::ui::JobId id, const QVariant& result);
    void failed(condense::ui::JobId id, const condense::Error& error);
    void cancelled(condense::ui::JobId id);
    // Always the last signal of a job, also for superseded jobs whose outcome is dropped.
    void ended(condense::ui::JobId id);

private:
    class Mailbox;
    struct Job;

    void deliverProgress(JobId id);
    void deliverOutcome(JobId id, const Result<QVariant>& outcome);

    std::map<JobId, std::unique_ptr<Job>> m_jobs;
    std::map<QString, JobId> m_slotOwner; // current generation of each slot
    JobId m_nextId = 1;
};

} // namespace condense::ui
