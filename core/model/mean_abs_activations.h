#pragma once
// MeanAbsActivations: AWQ's calibration statistic as an ActivationObserver
// (activation_observer.h). For every observed (layer, site) it accumulates, over all tokens t,
//
//   sums[c] = sum_t |x_t[c]|   (double)      tokens = rows seen
//
// so means() is the mean magnitude of every input channel, the activation scale AWQ searches
// its per-channel weight scales with (s = mean|x|^alpha). Columns are split over threads for
// large batches, as ColumnSquareSums does. setLayers() restricts the layers accumulated.

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "core/model/activation_observer.h"

namespace condense::model {

class MeanAbsActivations : public ActivationObserver {
public:
    void observe(const LinearInput& in) override;

    // Accumulate only layers first .. last (inclusive; -1 is LinearSite::Output's layer).
    void setLayers(std::int64_t first, std::int64_t last)
    {
        m_first = first;
        m_last = last;
    }

    // Per-column sums of |x| (empty when the site was never observed); layer -1 for Output.
    std::span<const double> sums(std::int64_t layer, LinearSite site) const;
    std::int64_t tokens(std::int64_t layer, LinearSite site) const;
    // sums / tokens per column (empty when never observed).
    std::vector<double> means(std::int64_t layer, LinearSite site) const;
    void clear() { m_entries.clear(); }

private:
    struct Entry {
        std::vector<double> sums;
        std::int64_t tokens = 0;
    };
    static std::size_t index(std::int64_t layer, LinearSite site)
    {
        return static_cast<std::size_t>((layer + 1) * kLinearSites + static_cast<int>(site));
    }
    std::vector<Entry> m_entries; // index(layer, site)
    std::int64_t m_first = -1;
    std::int64_t m_last = std::numeric_limits<std::int64_t>::max();
};

} // namespace condense::model
