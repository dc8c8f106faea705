#pragma once
// ActivationObserver: sees the input rows of every linear layer of the forward pass, for
// calibration (imatrix column statistics, GPTQ Hessians X^T X, AWQ activation scales) and
// analysis. Attach one with Session::setObserver (session.h); with none attached the forward
// pass pays one pointer test per site.
//
// Sites, per block l (model.h has the block's math):
//   AttnQKV    n1 = rmsnorm(x) * attn_norm            -> attn_q, attn_k, attn_v   (hidden cols)
//   AttnOut    attention output, heads concatenated   -> attn_output          (heads*headDim cols)
//   FfnGateUp  n2 = rmsnorm(h) * ffn_norm             -> ffn_gate, ffn_up         (hidden cols)
//   FfnDown    silu(gate n2) * up n2                  -> ffn_down                     (ff cols)
// and once per step, after the last block, only for the rows that get logits:
//   Output     rmsnorm(x_L) * output_norm             -> output (layer -1)        (hidden cols)
// The rows are exactly what the kernels multiply (before any activation quantization the
// weight type needs). Biases are added after the product and are not part of the input.
//
// Calls come in forward order (block by block, the four sites in the order above), once per
// batch of tokens (Session splits long inputs into batches of maxBatch), on the thread that
// runs the forward step, inside the session's arena: an observer may use oneTBB itself. The
// rows are valid only during the call. Observers must not throw.

#include <cstdint>
#include <span>

#include "core/model/layer_weights.h"

namespace condense::model {

enum class LinearSite : std::uint8_t { AttnQKV, AttnOut, FfnGateUp, FfnDown, Output };
inline constexpr int kLinearSites = 5;

// The weights that read a site's rows ({AttnQ, AttnK, AttnV} for AttnQKV, ...).
std::span<const WeightRole> siteRoles(LinearSite site);
// "attn_qkv", "attn_output", "ffn_gate_up", "ffn_down", "output".
const char* linearSiteName(LinearSite site);

struct LinearInput {
    std::int64_t layer = 0;         // block index; -1 for LinearSite::Output
    LinearSite site = LinearSite::AttnQKV;
    std::span<const WeightRole> roles; // siteRoles(site); tensorName(layer, role) names them
    std::int64_t firstPosition = 0; // sequence position of row 0
    std::int64_t nTokens = 0;       // rows
    std::int64_t cols = 0;          // floats per row (the weights' input dimension)
    const float* rows = nullptr;    // nTokens x cols, row-major, contiguous

    const float* row(std::int64_t t) const { return rows + t * cols; }
};

class ActivationObserver {
public:
    virtual ~ActivationObserver() = default;
    virtual void observe(const LinearInput& in) = 0;
};

} // namespace condense::model
