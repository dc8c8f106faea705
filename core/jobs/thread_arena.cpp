#include "core/jobs/thread_arena.h"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

namespace condense::jobs {

struct ThreadArena::Impl {
    explicit Impl(int n) : arena(n) {}
    tbb::task_arena arena;
};

ThreadArena::ThreadArena(ThreadingConfig config)
{
    int n = config.threads > 0 ? config.threads : tbb::info::default_concurrency();
    m_impl = std::make_unique<Impl>(n);
}

ThreadArena::~ThreadArena() = default;

int ThreadArena::concurrency() const { return m_impl->arena.max_concurrency(); }

void ThreadArena::execute(const std::function<void()>& f) { m_impl->arena.execute(f); }

bool parallelFor(std::size_t n, std::stop_token stop, const std::function<void(std::size_t)>& body,
                 std::size_t grain)
{
    if (n == 0) return !stop.stop_requested();
    tbb::task_group_context ctx;
    std::stop_callback bridge(stop, [&ctx] { ctx.cancel_group_execution(); });
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n, grain),
        [&](const tbb::blocked_range<std::size_t>& r) {
            for (std::size_t i = r.begin(); i != r.end(); ++i) {
                if (stop.stop_requested()) return;
                body(i);
            }
        },
        ctx);
    return !stop.stop_requested() && !ctx.is_group_execution_cancelled();
}

} // namespace condense::jobs
