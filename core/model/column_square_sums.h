#pragma once
// ColumnSquareSums: the simplest calibration observer (activation_observer.h). For every
// (layer, site) it accumulates, over all observed tokens t,
//
//   sums[c] = sum_t x_t[c]^2          (double)      tokens = number of rows seen
//
// the statistic of llama.cpp's importance matrix (imatrix: mean of squares per input column of
// every weight fed by the site). Columns are split over threads for large batches.

#include <cstdint>
#include <span>
#include <vector>

#include "core/model/activation_observer.h"

namespace condense::model {

class ColumnSquareSums : public ActivationObserver {
public:
    void observe(const LinearInput& in) override;

    // Per-column sums of squares of the site's input (empty when the site was never observed);
    // layer -1 for LinearSite::Output.
    std::span<const double> sums(std::int64_t layer, LinearSite site) const;
    std::int64_t tokens(std::int64_t layer, LinearSite site) const;
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
};

} // namespace condense::model
