#pragma once
// The task arena core owns. All oneTBB work in core runs inside it, so callers (the GUI's
// own threads, the CLI) never oversubscribe the machine. CancelScope bridges a
// std::stop_token to oneTBB's task_group_context cancellation.

#include <functional>
#include <memory>
#include <stop_token>


namespace condense::jobs {

struct ThreadingConfig {
    int threads = 0; // 0: all hardware threads
};

class ThreadArena {
public:
    explicit ThreadArena(ThreadingConfig config = {});
    ~ThreadArena();
    ThreadArena(const ThreadArena&) = delete;
    ThreadArena& operator=(const ThreadArena&) = delete;

    int concurrency() const;
    // Runs f inside the arena (blocking the caller until f returns).
    void execute(const std::function<void()>& f);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Parallel loop over [0, n) inside the current arena, cancelled when `stop` is requested.
// Returns false if it was cancelled (some iterations may not have run).
bool parallelFor(std::size_t n, std::stop_token stop, const std::function<void(std::size_t)>& body,
                 std::size_t grain = 1);

} // namespace condense::jobs
