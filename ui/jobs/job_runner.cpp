#include "ui/jobs/job_runner.h"

#include "core/jobs/worker_priority.h"

#include <QMetaObject>

#include <exception>

#include <mutex>
#include <string>

namespace condense::ui {

// Worker side of a job's progress: keeps only the newest report and posts at most one
// delivery to the GUI thread at a time, so a chatty job can never flood the event queue.
class JobRunner::Mailbox final : public jobs::ProgressSink {
public:
    Mailbox(JobRunner* runner, JobId id, std::chrono::steady_clock::time_point start)
        : m_runner(runner), m_id(id), m_start(start)
    {
    }

    void overall(double fraction, double etaSeconds) override
    {
        std::lock_guard lock(m_mutex);
        m_latest.overall = fraction;
        m_latest.etaMs = etaSeconds < 0 ? -1 : static_cast<qint64>(etaSeconds * 1000.0 + 0.5);
    }

    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item) override
    {
        const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - m_start);
        bool post = false;
        {
            std::lock_guard lock(m_mutex);
            m_latest.stage = stage;
            m_latest.done = done;
            m_latest.total = total;
            m_latest.item = QString::fromUtf8(item.data(), static_cast<qsizetype>(item.size()));
            m_latest.elapsedMs = static_cast<qint64>(elapsed.count());
            m_hasNew = true;
            if (!m_posted) {
                m_posted = true;
                post = true;
            }
        }
        if (post) {
            JobRunner* runner = m_runner;
            const JobId id = m_id;
            // The runner outlives every worker (its destructor joins them), so posting to it is safe.
            QMetaObject::invokeMethod(runner, [runner, id]() { runner->deliverProgress(id); }, Qt::QueuedConnection);
        }
    }

    // GUI thread: takes the newest report, if any, and allows the next post.
    bool take(JobProgress& out)
    {
        std::lock_guard lock(m_mutex);
        m_posted = false;
        if (!m_hasNew) return false;
        out = m_latest;
        m_hasNew = false;
        return true;
    }

private:
    JobRunner* m_runner;
    JobId m_id;
    std::chrono::steady_clock::time_point m_start;
    std::mutex m_mutex;
    JobProgress m_latest;
    bool m_hasNew = false;
    bool m_posted = false;
};

struct JobRunner::Job {
    QString title;
    QString slot;
    std::chrono::steady_clock::time_point start;
    std::shared_ptr<Mailbox> mailbox;
    bool superseded = false;
    bool quiet = false;
    std::jthread thread; // declared last: destroyed (joined) before the mailbox it uses
};

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner()
{
    for (auto& [id, job] : m_jobs) job->thread.request_stop();
    m_jobs.clear(); // joins every worker; their late posts to us are discarded with us
}

JobId JobRunner::start(const QString& title, const QString& slot, Work work, bool quiet)
{
    const JobId id = m_nextId++;
    if (!slot.isEmpty()) {
        auto owner = m_slotOwner.find(slot);
        if (owner != m_slotOwner.end()) {
            auto old = m_jobs.find(owner->second);
            if (old != m_jobs.end()) {
                old->second->superseded = true;
                old->second->thread.request_stop();
            }
        }
        m_slotOwner[slot] = id;
    }

    auto job = std::make_unique<Job>();
    job->title = title;
    job->slot = slot;
    job->quiet = quiet;
    job->start = std::chrono::steady_clock::now();
    job->mailbox = std::make_shared<Mailbox>(this, id, job->start);
    job->thread = std::jthread([this, id, mailbox = job->mailbox, work = std::move(work)](std::stop_token stop) mutable {
        // Jobs yield to the GUI thread: when every core is busy the window is scheduled first
        // (the arena's workers are lowered too: MainWindow calls lowerWorkerThreadPriority).
        jobs::lowerCurrentThreadPriority();
        Result<QVariant> outcome = makeError(ErrorCode::IoError, {}, "job produced no result");
        try {
            jobs::ThrottledSink throttled(*mailbox);
            outcome = work(throttled, stop);
        } catch (const std::exception& e) {
            // Core does not throw across its API; this guards against allocation failures and bugs.
            outcome = makeError(ErrorCode::IoError, {}, std::string("unexpected exception: ") + e.what());
        } catch (...) {
            outcome = makeError(ErrorCode::IoError, {}, "unexpected exception");
        }
        JobRunner* runner = this;
        QMetaObject::invokeMethod(runner, [runner, id, outcome]() { runner->deliverOutcome(id, outcome); },
                                  Qt::QueuedConnection);
    });
    m_jobs.emplace(id, std::move(job));
    Q_EMIT started(id, title);
    return id;
}

void JobRunner::cancel(JobId id)
{
    auto it = m_jobs.find(id);
    if (it != m_jobs.end()) it->second->thread.request_stop();
}

void JobRunner::cancelAll()
{
    for (auto& [id, job] : m_jobs) job->thread.request_stop();
}

bool JobRunner::isRunning(JobId id) const { return m_jobs.count(id) != 0; }

std::vector<JobId> JobRunner::runningJobs() const
{
    std::vector<JobId> ids;
    for (const auto& [id, job] : m_jobs) ids.push_back(id);
    return ids;
}

QString JobRunner::title(JobId id) const
{
    auto it = m_jobs.find(id);
    return it == m_jobs.end() ? QString() : it->second->title;
}

bool JobRunner::isQuiet(JobId id) const
{
    auto it = m_jobs.find(id);
    return it != m_jobs.end() && it->second->quiet;
}

qint64 JobRunner::elapsedMs(JobId id) const
{
    auto it = m_jobs.find(id);
    if (it == m_jobs.end()) return 0;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - it->second->start).count();
}

void JobRunner::deliverProgress(JobId id)
{
    auto it = m_jobs.find(id);
    if (it == m_jobs.end()) return;
    JobProgress p;
    if (!it->second->mailbox->take(p)) return;
    Q_EMIT progress(id, p);
}

void JobRunner::deliverOutcome(JobId id, const Result<QVariant>& outcome)
{
    auto it = m_jobs.find(id);
    if (it == m_jobs.end()) return;
    std::unique_ptr<Job> job = std::move(it->second);
    m_jobs.erase(it);
    const bool superseded = job->superseded;
    const bool stopRequested = job->thread.get_stop_token().stop_requested();
    if (!job->slot.isEmpty()) {
        auto owner = m_slotOwner.find(job->slot);
        if (owner != m_slotOwner.end() && owner->second == id) m_slotOwner.erase(owner);
    }
    // The worker posted this as its last act, so the join returns at once.
    job.reset();

    if (!superseded) {
        if (stopRequested || (!outcome.ok() && outcome.error().code == ErrorCode::Cancelled)) Q_EMIT cancelled(id);
        else if (!outcome.ok()) Q_EMIT failed(id, outcome.error());
        else Q_EMIT finished(id, outcome.value());
    }
    Q_EMIT ended(id);
}

} // namespace condense::ui
