#include "core/jobs/progress.h"

#include <algorithm>

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
    case Stage::Queued: return "queued";
    case Stage::Calibrating: return "calibrating";
    }
    return "working";
}

ThrottledSink::ThrottledSink(ProgressSink& inner, std::chrono::milliseconds interval)
    : m_inner(inner), m_interval(interval)
{
}

void ThrottledSink::overall(double fraction, double etaSeconds)
{
    std::lock_guard lock(m_mutex);
    m_fraction = fraction;
    m_eta = etaSeconds;
}

void ThrottledSink::report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item)
{
    const auto now = std::chrono::steady_clock::now();
    double fraction = -1, eta = -1;
    {
        std::lock_guard lock(m_mutex);
        const bool stageChanged = static_cast<int>(stage) != m_lastStage;
        const bool finished = total != 0 && done >= total;
        if (!stageChanged && !finished && now - m_last < m_interval) return;
        m_last = now;
        m_lastStage = static_cast<int>(stage);
        fraction = m_fraction;
        eta = m_eta;
    }
    if (fraction >= 0) m_inner.overall(fraction, eta);
    m_inner.report(stage, done, total, item);
}

double estimateRemainingSeconds(double elapsedSeconds, double fraction) noexcept
{
    if (fraction >= 1.0) return 0;
    if (!(fraction > 0.01) || !(elapsedSeconds >= 0.5)) return -1;
    return elapsedSeconds * (1.0 - fraction) / fraction;
}

WeightedProgress::WeightedProgress(ProgressSink& inner, std::vector<ProgressPass> passes)
    : m_inner(inner), m_passes(std::move(passes)), m_start(std::chrono::steady_clock::now())
{
    for (auto& p : m_passes) {
        if (!(p.weight > 0)) p.weight = 0;
        m_totalWeight += p.weight;
    }
}

double WeightedProgress::fraction() const
{
    std::lock_guard lock(m_mutex);
    return m_fraction;
}

void WeightedProgress::overall(double, double) {}

class WeightedProgress::Nested final : public ProgressSink {
public:
    Nested(WeightedProgress& outer, std::size_t index) : m_outer(outer), m_index(index) {}
    void report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item) override
    {
        m_outer.m_inner.report(stage, done, total, item);
    }
    void overall(double fraction, double) override { m_outer.nestedOverall(m_index, fraction); }

private:
    WeightedProgress& m_outer;
    std::size_t m_index;
};

std::unique_ptr<ProgressSink> WeightedProgress::nested(std::size_t index) { return std::make_unique<Nested>(*this, index); }

void WeightedProgress::nestedOverall(std::size_t index, double fraction)
{
    double f = 0, eta = -1;
    {
        std::lock_guard lock(m_mutex);
        if (index >= m_passes.size()) return;
        m_pass = std::max(m_pass, index);
        double before = 0;
        for (std::size_t k = 0; k < index; ++k) before += m_passes[k].weight;
        const double next = m_totalWeight > 0 ? (before + m_passes[index].weight * std::clamp(fraction, 0.0, 1.0)) / m_totalWeight : 0.0;
        if (next > m_fraction) m_fraction = std::min(1.0, next);
        f = m_fraction;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        eta = estimateRemainingSeconds(elapsed, f);
    }
    m_inner.overall(f, eta);
}

NestedProgress::NestedProgress(ProgressSink& inner, double begin, double end, std::chrono::steady_clock::time_point jobStart)
    : m_inner(inner), m_begin(begin), m_end(end), m_start(jobStart)
{
}

void NestedProgress::report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item)
{
    m_inner.report(stage, done, total, item);
}

void NestedProgress::overall(double fraction, double)
{
    const double f = m_begin + std::clamp(fraction, 0.0, 1.0) * (m_end - m_begin);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    m_inner.overall(f, estimateRemainingSeconds(elapsed, f));
}

void WeightedProgress::report(Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item)
{
    double f = 0, eta = -1;
    bool known = false;
    {
        std::lock_guard lock(m_mutex);
        for (std::size_t i = m_pass; i < m_passes.size(); ++i) {
            if (m_passes[i].stage != stage) continue;
            m_pass = i;
            double before = 0;
            for (std::size_t k = 0; k < i; ++k) before += m_passes[k].weight;
            const double inPass = total == 0 ? 0.0 : (done >= total ? 1.0 : static_cast<double>(done) / static_cast<double>(total));
            const double next = m_totalWeight > 0 ? (before + m_passes[i].weight * inPass) / m_totalWeight : 0.0;
            if (next > m_fraction) m_fraction = std::min(1.0, next);
            known = true;
            break;
        }
        f = m_fraction;
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        eta = estimateRemainingSeconds(elapsed, f);
    }
    if (known) m_inner.overall(f, eta);
    m_inner.report(stage, done, total, item);
}

} // namespace condense::jobs
