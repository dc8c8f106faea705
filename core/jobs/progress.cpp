#include "core/jobs/progress.h"

namespace condense::jobs {

const char* stageName(Stage s) noexcept
{
    switch (s) {
    case Stage::Opening: return "opening";
    case Stage::Reading: return "reading";
    case Stage::Converting: return "converting";
    case Stage::Quantizing: return "quantizing";
    case Stage::Writing: return "writing";
    case Stage::Validating: return "validating";
    case Stage::Analyzing: return "analyzing";
    case Stage::Evaluating: return "evaluating";
    case Stage::Measuring: return "measuring";
    case Stage::Generating: return "generating";
    }
    return "working";
}

ThrottledSink::ThrottledSink(ProgressSink& inner, std::chrono::milliseconds interval)
    : m_inner(inner), m_interval(interval)
{
}

void ThrottledSink::report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item)
{
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(m_mutex);
        const bool stageChanged = static_cast<int>(stage) != m_lastStage;
        const bool finished = total != 0 && done >= total;
        if (!stageChanged && !finished && now - m_last < m_interval) return;
        m_last = now;
        m_lastStage = static_cast<int>(stage);
    }
    m_inner.report(stage, done, total, item);
}

} // namespace condense::jobs
