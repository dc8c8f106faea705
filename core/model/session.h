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

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stop_token>

#include "core/common/result.h"
#include "core/jobs/thread_arena.h"
#include "core/model/activation_batch.h"
#include "core/model/aligned_buffer.h"
#include "core/model/kv_cache.h"
#include "core/model/model.h"

namespace condense::model {

struct SessionConfig {
    std::int64_t nCtx = 0;        // KV cache positions; 0: the model's max positions, at most 4096
    std::int64_t maxBatch = 512;  // tokens per forward step
    int threads = 0;              // 0: all hardware threads
};

enum class LogitsMode : std::uint8_t { All, Last, None };

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

private:
    Session(std::shared_ptr<const Model> model, const SessionConfig& config);
    // One batch; logits rows [firstLogit, n) when mode is All (firstLogit may be >= n: none).
    Status step(const std::int32_t* tokens, std::int64_t n, float* logits, LogitsMode mode, std::int64_t firstLogit,
                const EvalOptions& options, const std::stop_token& stop);
    void attention(std::int64_t layer, std::int64_t n);
    void rmsNormRows(const float* x, const std::vector<float>& w, float* out, std::int64_t n, std::int64_t dim);

    std::shared_ptr<const Model> m_model;
    std::int64_t m_nCtx = 0;
    std::int64_t m_maxBatch = 0;
    std::int64_t m_pos = 0;
    std::unique_ptr<jobs::ThreadArena> m_arena;
    KvCache m_cache;
    ActivationBatch m_act;
    // Scratch of one step: residual x, normed xn, q/k/v, attention output, block output, ffn.
    AlignedBuffer m_x, m_xn, m_q, m_k, m_v, m_attn, m_out, m_gate, m_up;
};

} // namespace condense::model
