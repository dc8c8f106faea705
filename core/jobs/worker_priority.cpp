#include "core/jobs/worker_priority.h"

#include <oneapi/tbb/task_scheduler_observer.h>

#include <atomic>
#include <mutex>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace condense::jobs {

namespace {

std::atomic<int> g_niceness{0};

class WorkerPriorityObserver : public tbb::task_scheduler_observer {
public:
    WorkerPriorityObserver() { observe(true); }
    ~WorkerPriorityObserver() override { observe(false); }
    void on_scheduler_entry(bool isWorker) override
    {
        if (isWorker) lowerCurrentThreadPriority(g_niceness.load());
    }
};

} // namespace

bool lowerCurrentThreadPriority(int niceness)
{
#if defined(__linux__)
    return setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), niceness) == 0;
#else
    (void)niceness;
    return false;
#endif
}

bool lowerWorkerThreadPriority(int niceness)
{
#if defined(__linux__)
    g_niceness.store(niceness);
    static std::once_flag once;
    std::call_once(once, [] {
        // Lives as long as the process (never destroyed: workers enter arenas until exit, and
        // oneTBB may be gone by the time static destructors run).
        new WorkerPriorityObserver;
    });
    return true;
#else
    (void)niceness;
    return false;
#endif
}

} // namespace condense::jobs
