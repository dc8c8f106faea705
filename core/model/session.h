#pragma once
// Session: one running sequence over a Model: a KV cache of nCtx positions and the scratch of
// a forward step. Not thread-safe; several sessions may share one Model.
//
//   auto s = Session::create(model, {.nCtx = 512, .threads = 2});
//   std::vector<float> logits(n * vocab);
//   (*s)->eval(tokens, logits);                              // positions 0 .. n-1, all rows
//   (*s)->eval(std::span(&next, 1), last, {.logits = LogitsMode::Last}); // position n
//
// eval() appends tokens at position() .. position() + n - 1. Prompts are processed in batches
// of up to maxBatch tokens: each weight matrix is streamed once per batch, every token of the
// batch multiplied against it (Matmul). Generation is eval() with one token. A token's logits
// do not depend on how the sequence was split into eval() calls or batches, nor on the thread
// count, beyond float summation order in the float-weight kernels (matmul.h; the attention
// and the block-type kernels compute the same operations whatever the batch).
//
// Logits: LogitsMode::All writes (n - firstLogit) x vocab floats (row t = logits of the token
// after input firstLogit + t),
// Last writes the vocab logits after the last token, None computes none (a prefill).
// blockOutput, when set, receives after every block l the block's output hidden states (the
// residual stream, n x hidden floats, row-major) of the tokens of each batch; firstPosition is
// the position of the batch's first token. This is what the per-layer drift compares.
//
// Work runs in the session's own oneTBB arena (threads from the config). A stop request is
// honoured between blocks (ErrorCode::Cancelled; the cache then holds a partial step and
// position() is unchanged, so the tokens can be evaluated again).
//
// Hooks for calibration (imatrix, GPTQ, AWQ) and sensitivity analysis:
//
// * Activation observer. setObserver(&obs) makes every forward pass (eval() and the block
//   functions below) hand obs the input rows of each linear layer: the normed input of
//   q/k/v, the attention output into o, the normed input of gate/up, the SwiGLU product into
//   down, and the normed final state into output (activation_observer.h lists the sites and
//   the calling rules). Not owned; nullptr detaches. Detached costs one pointer test per site.
//
// * Block by block. The forward pass is three steps, and eval() is exactly these, in batches:
//     embed(tokens, hidden)                    n x hidden floats, the embedding rows
//     runBlock(l, hidden, n, firstPosition)    x <- block_l(x) in place, for l = 0 .. layers-1
//     head(hidden, n, logits, mode)            rmsnorm * output_norm, then output
//   runBlock attends over positions [0, firstPosition + n) of layer l's KV cache and writes
//   positions [firstPosition, firstPosition + n) of it; the caller makes sure [0, firstPosition)
//   holds the same sequence's earlier tokens for that layer (with firstPosition = 0 every call
//   is a fresh sequence: GPTQ's sequential mode runs block l over all calibration chunks, then
//   block l + 1). The block functions neither read nor move position(); after using them,
//   reset() before eval(). Inputs longer than maxBatch are run in maxBatch pieces.
//
// * Weight replacement. overrideWeight(l, role, w) makes this session multiply with w (an
//   OwnedWeight: any type Matmul supports, same shape) instead of the model's mapped matrix,
//   from the next forward pass on, until replaced, restored (nullptr) or clearOverrides().
//   The Model is untouched (other sessions keep the original); the session holds w alive.
//   TokenEmbd and Output take layer -1 and replace the embedding rows and the output matrix
//   independently, even when the model ties them. Cached keys and values computed with the
//   old weights stay: reset() (or re-run the blocks) before comparing. This is how "quantize
//   only this tensor, measure KLD" and AWQ's scale search (W' = Q(W diag(s)) diag(s)^-1) run.
//   overrideVector(l, which, v) does the same for a block's float vectors (norm weights, q/k/v
//   biases): how a model with AWQ's folded norms (attn_norm / s) and biases runs unchanged.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stop_token>
#include <vector>

#include "core/common/result.h"
#include "core/jobs/thread_arena.h"
#include "core/model/activation_batch.h"
#include "core/model/activation_observer.h"
#include "core/model/aligned_buffer.h"
#include "core/model/kv_cache.h"
#include "core/model/model.h"
#include "core/model/owned_weight.h"

namespace condense::model {

struct SessionConfig {
    std::int64_t nCtx = 0;        // KV cache positions; 0: the model's max positions, at most 4096
    std::int64_t maxBatch = 512;  // tokens per forward step
    int threads = 0;              // 0: all hardware threads
};

enum class LogitsMode : std::uint8_t { All, Last, None };

// The float vectors of a block a session can replace (Session::overrideVector).
enum class BlockVector : std::uint8_t { AttnNorm, QBias, KBias, VBias, FfnNorm };
inline constexpr int kBlockVectors = 5;

using BlockOutputHook = std::function<void(std::int64_t layer, std::int64_t firstPosition, std::int64_t nTokens,
                                           const float* hidden)>;

struct EvalOptions {
    LogitsMode logits = LogitsMode::All;
    // LogitsMode::All only: rows [firstLogit, n) are computed and written (n - firstLogit rows),
    // so a scorer that needs the second half of a chunk does not pay for the first.
    std::int64_t firstLogit = 0;
    BlockOutputHook blockOutput;
};

class Session {
public:
    static Result<std::unique_ptr<Session>> create(std::shared_ptr<const Model> model, const SessionConfig& config = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const Model& model() const { return *m_model; }
    std::int64_t contextSize() const { return m_nCtx; }
    std::int64_t position() const { return m_pos; }
    int threads() const;

    // Forgets every position (the next eval starts at 0).
    void reset() { m_pos = 0; }
    // Keeps positions [0, n) (n <= position()).
    Status truncate(std::int64_t n);

    // Logit floats eval() writes for n tokens.
    std::size_t logitsSize(std::int64_t nTokens, LogitsMode mode, std::int64_t firstLogit = 0) const;

    Status eval(std::span<const std::int32_t> tokens, std::span<float> logits, const EvalOptions& options = {},
                std::stop_token stop = {});

    // --- Calibration hooks (see the header comment) ---

    // Not owned; nullptr detaches.
    void setObserver(ActivationObserver* observer) { m_observer = observer; }
    ActivationObserver* observer() const { return m_observer; }

    // hidden[t * hidden + i] = embedding of tokens[t] (hidden.size() >= n * hidden).
    Status embed(std::span<const std::int32_t> tokens, std::span<float> hidden);
    // Block `layer` over nTokens rows of `hidden` (in place) at positions firstPosition ...
    Status runBlock(std::int64_t layer, std::span<float> hidden, std::int64_t nTokens, std::int64_t firstPosition,
                    std::stop_token stop = {});
    // Final norm and output matrix over nTokens rows of `hidden`; logits as eval() writes them
    // (logitsSize(nTokens, mode, firstLogit) floats). The Output observer site reports
    // firstPosition = position() + the first row that gets logits.
    Status head(std::span<const float> hidden, std::int64_t nTokens, std::span<float> logits,
                LogitsMode mode = LogitsMode::All, std::int64_t firstLogit = 0);

    // Replaces one weight matrix for this session (nullptr restores the model's). Layer -1 for
    // TokenEmbd and Output. InvalidArgument on a bad layer or a shape that differs.
    Status overrideWeight(std::int64_t layer, WeightRole role, std::shared_ptr<const OwnedWeight> weight);
    // Replaces one of block `layer`'s float vectors (same length as the model's; a bias the
    // model lacks cannot be added) for this session; an empty vector restores the model's.
    // InvalidArgument on a bad layer or length.
    Status overrideVector(std::int64_t layer, BlockVector which, std::vector<float> values);
    void clearOverrides();
    // The matrix this session uses for (layer, role): the override or the model's. The layer
    // must exist (-1 for TokenEmbd and Output).
    const WeightView& weight(std::int64_t layer, WeightRole role) const;

private:
    Session(std::shared_ptr<const Model> model, const SessionConfig& config);
    // One batch (n <= maxBatch); logits rows [firstLogit, n) when mode is All (firstLogit may
    // be >= n: none).
    Status step(const std::int32_t* tokens, std::int64_t n, float* logits, LogitsMode mode, std::int64_t firstLogit,
                const EvalOptions& options, const std::stop_token& stop);
    // The pieces step() is made of, for n <= maxBatch rows, inside the arena.
    void embedRows(const std::int32_t* tokens, std::int64_t n, float* x);
    void ropeTables(std::int64_t pos, std::int64_t n);          // m_cos / m_sin of positions pos ..
    void block(std::int64_t layer, float* x, std::int64_t n, std::int64_t pos); // needs ropeTables(pos, n)
    void headRows(const float* x, std::int64_t n, float* logits, LogitsMode mode, std::int64_t firstLogit, std::int64_t pos);
    void attention(std::int64_t layer, std::int64_t n, std::int64_t pos);
    void rmsNormRows(const float* x, const std::vector<float>& w, float* out, std::int64_t n, std::int64_t dim);
    void notify(std::int64_t layer, LinearSite site, std::int64_t pos, std::int64_t n, std::int64_t cols, const float* rows);
    const LayerWeights& layerWeights(std::int64_t layer) const
    {
        const auto l = static_cast<std::size_t>(layer);
        return l < m_layerOverrides.size() && m_layerOverrides[l] ? m_layerOverrides[l]->weights : m_model->layers()[l];
    }
    Status checkTokens(std::span<const std::int32_t> tokens) const;

    // A block with at least one replaced matrix: the model's weights with the views swapped.
    struct LayerOverride {
        LayerWeights weights;
        std::shared_ptr<const OwnedWeight> owned[kBlockWeightRoles];
        bool vectors[kBlockVectors] = {};
        bool empty() const;
    };
    LayerOverride* layerOverride(std::size_t layer);
    void dropIfEmpty(std::size_t layer);

    std::shared_ptr<const Model> m_model;
    std::int64_t m_nCtx = 0;
    std::int64_t m_maxBatch = 0;
    std::int64_t m_pos = 0;
    std::unique_ptr<jobs::ThreadArena> m_arena;
    KvCache m_cache;
    ActivationBatch m_act;
    // Scratch of one step: residual x, normed xn, q/k/v, attention output, block output, ffn.
    AlignedBuffer m_x, m_xn, m_q, m_k, m_v, m_attn, m_out, m_gate, m_up;
    std::vector<float> m_cos, m_sin; // RoPE tables of the batch's positions, n x rotatedDims/2
    ActivationObserver* m_observer = nullptr;
    std::vector<std::unique_ptr<LayerOverride>> m_layerOverrides; // by layer; empty when none
    std::shared_ptr<const OwnedWeight> m_embdOverride, m_outputOverride;
};

} // namespace condense::model
