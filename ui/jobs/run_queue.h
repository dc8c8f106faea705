#pragma once
// RunQueue: quantize-and-test runs take the machine's cores and memory, so the window runs them
// one after the other, in the order they were asked for (several drops on profile cards queue
// in the job strip). A run takes a ticket on the GUI thread when it is asked for, and its job
// waits (cancellably) until that ticket is served. Thread-safe; shared by the jobs.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <stop_token>

namespace condense::ui {

class RunQueue {
public:
    using Ticket = std::uint64_t;

    Ticket take();
    // Blocks until `ticket` is served; false when `stop` was requested first (the ticket is
    // then given up, so the runs after it do not wait for it).
    bool wait(Ticket ticket, std::stop_token stop);
    // The holder of `ticket` is done (or gave up): the next ticket is served.
    void release(Ticket ticket);
    // How many runs are ahead of `ticket` (0: it is served).
    std::uint64_t ahead(Ticket ticket) const;

    // Releases the ticket when it goes out of scope.
    class Hold {
    public:
        Hold(RunQueue& q, Ticket t) : m_q(q), m_t(t) {}
        ~Hold() { m_q.release(m_t); }
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;

    private:
        RunQueue& m_q;
        Ticket m_t;
    };

private:
    void advance(); // under m_mutex

    mutable std::mutex m_mutex;
    std::condition_variable_any m_changed;
    Ticket m_next = 0;    // next ticket to hand out
    Ticket m_serving = 0; // ticket allowed to run
    std::set<Ticket> m_done; // released tickets not yet reached
};

} // namespace condense::ui
