#pragma once
// HessianAccumulator: GPTQ's calibration statistic as an ActivationObserver
// (activation_observer.h). For every observed (layer, site) it accumulates, over all tokens t,
//
//   H[i][j] = sum_t x_t[i] * x_t[j]   (double, cols x cols)      tokens = rows seen
//
// i.e. X^T X of the site's input rows (GPTQ's Hessian of the layer-wise squared error is
// 2 X^T X / tokens; the scaling is the caller's). Only the upper triangle (j >= i) is summed:
// each batch is packed into double column panels, then register-blocked micro-kernels (AVX2
// with FMA where the CPU has it) sum square tiles of H, the tiles spread over the calling
// arena's threads (the observer runs inside the session's arena). Float products are exact
// in double, so every entry is the sum of exact products in token order: the same value as a
// naive double loop, whatever the kernel or thread count.
//
// Memory: cols^2 doubles per site (TinyLlama's ffn_down: 5632^2 * 8 = 254 MB), plus one
// batch as doubles while a call runs (tokens x cols x 8 bytes, kept for reuse). Restrict the
// layers with setLayers() so only the block being quantized is held, and take() each matrix
// as soon as it is used (captureBlockByBlock in block_capture.h runs one block at a time):
//
//   HessianAccumulator h;
//   h.setLayers(l, l);            // sites of other layers are ignored
//   ... run block l over the calibration chunks with h attached ...
//   std::vector<double> H = h.take(l, LinearSite::AttnQKV); // full symmetric, row-major

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include "core/common/cpu_features.h"
#include "core/model/activation_observer.h"

namespace condense::model {

class HessianAccumulator : public ActivationObserver {
public:
    // `level` caps the micro-kernel's instruction set (lowered to what the CPU has); every
    // level gives the same bits (see above). Scalar is the reference the tests compare with.
    explicit HessianAccumulator(CpuLevel level = CpuLevel::Best);

    // The micro-kernel: acc (rows x cols, row-major) += the products of a's rows (the first
    // `rows` lanes of a panel) and b's columns (cols / 8 consecutive panels, panelSize apart).
    struct Kernel {
        void (*fn)(const double* a, const double* b, std::int64_t tokens, std::int64_t panelSize, double* acc) = nullptr;
        std::int64_t rows = 4, cols = 8;
    };

    void observe(const LinearInput& in) override;

    // Accumulate only layers first .. last (inclusive; -1 is LinearSite::Output's layer).
    // Default: every layer. Matrices already held stay until taken or cleared.
    void setLayers(std::int64_t first, std::int64_t last)
    {
        m_first = first;
        m_last = last;
    }
    bool wants(std::int64_t layer) const { return layer >= m_first && layer <= m_last; }

    // Moves the (layer, site) matrix out: cols x cols row-major doubles, both triangles filled
    // (exactly symmetric). Empty when the site was never observed (or already taken).
    std::vector<double> take(std::int64_t layer, LinearSite site);
    // Rows accumulated into the (layer, site) matrix held now (0 when none is held).
    std::int64_t tokens(std::int64_t layer, LinearSite site) const;
    // The matrix dimension of the (layer, site) matrix held now (0 when none is held).
    std::int64_t cols(std::int64_t layer, LinearSite site) const;

    // Matrices held now, and their bytes (what calibration memory is made of).
    std::size_t heldMatrices() const { return m_entries.size(); }
    std::size_t heldBytes() const;
    // Drops every matrix and the batch scratch.
    void clear()
    {
        m_entries.clear();
        std::vector<double>().swap(m_packed);
    }

private:
    struct Entry {
        std::int64_t cols = 0;
        std::int64_t tokens = 0;
        std::vector<double> h; // cols x cols; only j >= i is summed until take()
    };
    using Key = std::pair<std::int64_t, int>; // (layer, site)
    std::map<Key, Entry> m_entries;
    std::vector<double> m_packed; // one batch as double panels (tokens x cols, padded), reused
    Kernel m_kernel;
    std::int64_t m_first = -1;
    std::int64_t m_last = std::numeric_limits<std::int64_t>::max();
};

} // namespace condense::model
