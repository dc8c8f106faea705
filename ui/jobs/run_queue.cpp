#include "ui/jobs/run_queue.h"

namespace condense::ui {

RunQueue::Ticket RunQueue::take()
{
    std::lock_guard lock(m_mutex);
    return m_next++;
}

bool RunQueue::wait(Ticket ticket, std::stop_token stop)
{
    std::unique_lock lock(m_mutex);
    const bool served = m_changed.wait(lock, stop, [&] { return m_serving == ticket; });
    if (!served) {
        m_done.insert(ticket);
        advance();
        m_changed.notify_all();
    }
    return served;
}

void RunQueue::release(Ticket ticket)
{
    std::lock_guard lock(m_mutex);
    if (ticket < m_serving) return; // already given up
    m_done.insert(ticket);
    advance();
    m_changed.notify_all();
}

std::uint64_t RunQueue::ahead(Ticket ticket) const
{
    std::lock_guard lock(m_mutex);
    return ticket > m_serving ? ticket - m_serving : 0;
}

void RunQueue::advance()
{
    while (m_done.count(m_serving)) m_done.erase(m_serving++);
}

} // namespace condense::ui
