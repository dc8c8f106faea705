#pragma once
// PairedInputAccumulator: the statistics of asymmetric calibration (GPTQv2 / GPTAQ, Li et al.
// 2025): every linear of the quantized model is aimed at the ORIGINAL model's output for the
// same tokens, given the inputs the quantized model really feeds it. Per observed (layer, site):
//
//   H[i][j] = sum_t xq_t[i] * xq_t[j]             (HessianAccumulator: X_q^T X_q)
//   D[i][j] = sum_t (xo_t[i] - xq_t[i]) * xq_t[j]  (cols x cols, not symmetric)
//
// x_o = the site's input row in the original model, x_q = in the model being quantized, same
// chunk and position. For a weight W (rows = outputs) the loss sum_t |Q xq_t - W xo_t|^2 equals
// tr((Q - W') H (Q - W')^T) + const with W' = W (I + D H^-1): ordinary GPTQ on the target W'
// (quant/gptq_ggml.h takes D for that).
//
// Use: attach originalSide() while the original model's block runs over a chunk, then this
// accumulator (observe) while the quantized model's block runs over the same chunk (block
// l's weights unchanged between the two runs; block_capture.h's CaptureOptions::originalObserver
// does exactly that). The original rows of the chunk are kept per (layer, site) by position
// until the next chunk overwrites them; a quantized row whose original was not seen (no paired
// run) adds to H only, and D is then empty for that site when no row was paired at all.
// Cost: D is a full cols x cols product per row (twice H's upper triangle), in double, by
// quant::subtractProduct's packed FMA tiles (parallel in the caller's arena).
// Memory: one chunk's original rows per site (floats) and a cols^2 doubles D beside each H.

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "core/model/activation_observer.h"
#include "core/model/hessian_accumulator.h"

namespace condense::model {

class PairedInputAccumulator : public ActivationObserver {
public:
    explicit PairedInputAccumulator(CpuLevel level = CpuLevel::Best);

    // The quantized model's rows: H, and D where the original rows of these positions were seen.
    void observe(const LinearInput& in) override;
    // Where the original model's rows go (same layers filter).
    ActivationObserver& originalSide() { return m_original; }

    void setLayers(std::int64_t first, std::int64_t last)
    {
        m_hessians.setLayers(first, last);
    }
    bool wants(std::int64_t layer) const { return m_hessians.wants(layer); }

    std::vector<double> take(std::int64_t layer, LinearSite site) { return m_hessians.take(layer, site); }
    // D of (layer, site), cols x cols row-major; empty when no row of it was paired.
    std::vector<double> takeCross(std::int64_t layer, LinearSite site);
    std::int64_t tokens(std::int64_t layer, LinearSite site) const { return m_hessians.tokens(layer, site); }
    // Rows of (layer, site) that went into D.
    std::int64_t pairedTokens(std::int64_t layer, LinearSite site) const;
    std::size_t heldBytes() const;
    void clear();

private:
    using Key = std::pair<std::int64_t, int>;
    class OriginalSide : public ActivationObserver {
    public:
        explicit OriginalSide(PairedInputAccumulator& owner) : m_owner(owner) {}
        void observe(const LinearInput& in) override;

    private:
        PairedInputAccumulator& m_owner;
    };
    struct Rows {
        std::int64_t cols = 0;
        std::vector<float> rows;         // by position: row p at p * cols
        std::vector<std::uint8_t> seen;  // by position
    };
    struct Cross {
        std::int64_t cols = 0;
        std::int64_t tokens = 0;
        std::vector<double> d;
    };

    HessianAccumulator m_hessians;
    OriginalSide m_original{*this};
    std::map<Key, Rows> m_rows;
    std::map<Key, Cross> m_cross;
    CpuLevel m_level;
    std::vector<double> m_a, m_b; // one batch's product operands
};

} // namespace condense::model
