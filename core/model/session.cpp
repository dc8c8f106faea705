#include "core/model/session.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

namespace condense::model {

namespace {

// Runs fn(i) for i in [0, n): in parallel when there is enough work to pay for it.
template <typename F>
void forEach(std::int64_t n, std::int64_t workPerItem, const F& fn)
{
    if (n <= 1 || n * workPerItem < 16384) {
        for (std::int64_t i = 0; i < n; ++i) fn(i);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n), [&](const tbb::blocked_range<std::int64_t>& r) {
        for (std::int64_t i = r.begin(); i != r.end(); ++i) fn(i);
    });
}

float* floats(AlignedBuffer& b) { return b.as<float>(); }

} // namespace

Session::Session(std::shared_ptr<const Model> model, const SessionConfig& config)
    : m_model(std::move(model)), m_nCtx(config.nCtx), m_maxBatch(config.maxBatch),
      m_arena(std::make_unique<jobs::ThreadArena>(jobs::ThreadingConfig{config.threads})),
      m_cache(m_model->dims().layers, m_model->dims().kvHeads, m_model->dims().headDim, config.nCtx)
{
    const ModelDims& d = m_model->dims();
    const auto b = static_cast<std::size_t>(m_maxBatch) * sizeof(float);
    m_x.reserve(b * static_cast<std::size_t>(d.hidden));
    m_xn.reserve(b * static_cast<std::size_t>(std::max(d.hidden, d.ff)));
    m_q.reserve(b * static_cast<std::size_t>(d.heads * d.headDim));
    m_k.reserve(b * static_cast<std::size_t>(d.kvHeads * d.headDim));
    m_v.reserve(b * static_cast<std::size_t>(d.kvHeads * d.headDim));
    m_attn.reserve(b * static_cast<std::size_t>(d.heads * d.headDim));
    m_out.reserve(b * static_cast<std::size_t>(d.hidden));
    m_gate.reserve(b * static_cast<std::size_t>(d.ff));
    m_up.reserve(b * static_cast<std::size_t>(d.ff));
}

Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::create(std::shared_ptr<const Model> model, const SessionConfig& config)
{
    if (!model) return makeError(ErrorCode::InvalidArgument, "", "no model");
    SessionConfig c = config;
    if (c.nCtx == 0) {
        const auto maxPos = static_cast<std::int64_t>(model->spec().maxPositions);
        c.nCtx = maxPos > 0 ? std::min<std::int64_t>(maxPos, 4096) : 2048;
    }
    if (c.nCtx < 1 || c.nCtx > (std::int64_t{1} << 24))
        return makeError(ErrorCode::InvalidArgument, model->checkpoint().path().string(),
                         "context size " + std::to_string(c.nCtx) + " is out of range");
    if (c.maxBatch < 1) c.maxBatch = 512;
    c.maxBatch = std::min(c.maxBatch, c.nCtx);
    if (c.threads < 0) c.threads = 0;
    const ModelDims& d = model->dims();
    const double cacheBytes = 2.0 * static_cast<double>(d.layers) * static_cast<double>(d.kvHeads) *
                              static_cast<double>(d.headDim) * static_cast<double>(c.nCtx) * sizeof(float);
    const std::string file = model->checkpoint().path().string();
    try {
        return std::unique_ptr<Session>(new Session(std::move(model), c));
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::InvalidArgument, file,
                         "cannot allocate the KV cache of " + std::to_string(c.nCtx) + " positions (" +
                             std::to_string(static_cast<std::uint64_t>(cacheBytes)) + " bytes)");
    }
}

int Session::threads() const { return m_arena->concurrency(); }

Status Session::truncate(std::int64_t n)
{
    if (n < 0 || n > m_pos)
        return makeError(ErrorCode::InvalidArgument, "", "cannot truncate to " + std::to_string(n) + " of " + std::to_string(m_pos) + " positions");
    m_pos = n;
    return okStatus();
}

std::size_t Session::logitsSize(std::int64_t nTokens, LogitsMode mode, std::int64_t firstLogit) const
{
    const auto vocab = static_cast<std::size_t>(m_model->dims().vocab);
    switch (mode) {
    case LogitsMode::All: return static_cast<std::size_t>(std::max<std::int64_t>(0, nTokens - firstLogit)) * vocab;
    case LogitsMode::Last: return nTokens > 0 ? vocab : 0;
    case LogitsMode::None: return 0;
    }
    return 0;
}

Status Session::eval(std::span<const std::int32_t> tokens, std::span<float> logits, const EvalOptions& options,
                     std::stop_token stop)
{
    const std::string file = m_model->checkpoint().path().string();
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n == 0) return okStatus();
    const std::int64_t vocab = m_model->dims().vocab;
    for (std::int64_t i = 0; i < n; ++i)
        if (tokens[static_cast<std::size_t>(i)] < 0 || tokens[static_cast<std::size_t>(i)] >= vocab)
            return makeError(ErrorCode::InvalidArgument, file,
                             "token id " + std::to_string(tokens[static_cast<std::size_t>(i)]) + " at index " +
                                 std::to_string(i) + " is outside the vocabulary of " + std::to_string(vocab));
    if (n > m_nCtx - m_pos)
        return makeError(ErrorCode::InvalidArgument, file,
                         std::to_string(n) + " tokens do not fit: " + std::to_string(m_pos) + " of " +
                             std::to_string(m_nCtx) + " context positions are used");
    if (options.firstLogit < 0 || (options.logits == LogitsMode::All && options.firstLogit > n))
        return makeError(ErrorCode::InvalidArgument, file, "first logit row " + std::to_string(options.firstLogit) + " is outside the tokens");
    const std::size_t need = logitsSize(n, options.logits, options.firstLogit);
    if (logits.size() < need)
        return makeError(ErrorCode::InvalidArgument, file,
                         "logits buffer holds " + std::to_string(logits.size()) + " floats, " + std::to_string(need) +
                             " needed");

    Status status = okStatus();
    m_arena->execute([&] {
        for (std::int64_t done = 0; done < n && status.ok();) {
            const std::int64_t b = std::min(m_maxBatch, n - done);
            const bool last = done + b == n;
            LogitsMode mode = options.logits;
            float* out = nullptr;
            std::int64_t first = 0; // first row of this batch that gets logits
            if (mode == LogitsMode::All) {
                first = std::max<std::int64_t>(0, options.firstLogit - done);
                if (first >= b) mode = LogitsMode::None;
                else out = logits.data() + (done + first - options.firstLogit) * vocab;
            } else if (mode == LogitsMode::Last && last) {
                out = logits.data();
            } else {
                mode = LogitsMode::None;
            }
            status = step(tokens.data() + done, b, out, mode, first, options, stop);
            done += b;
        }
    });
    return status;
}

void Session::rmsNormRows(const float* x, const std::vector<float>& w, float* out, std::int64_t n, std::int64_t dim)
{
    const kernels::VecOps& ops = m_model->matmul().vecOps();
    const double eps = m_model->spec().rmsNormEps;
    forEach(n, dim, [&](std::int64_t t) {
        const float* xr = x + t * dim;
        float* o = out + t * dim;
        const double ms = ops.sumSquares(xr, dim) / static_cast<double>(dim);
        const auto s = static_cast<float>(1.0 / std::sqrt(ms + eps));
        for (std::int64_t i = 0; i < dim; ++i) o[i] = xr[i] * s * w[static_cast<std::size_t>(i)];
    });
}

void Session::attention(std::int64_t layer, std::int64_t n)
{
    const ModelDims& d = m_model->dims();
    const kernels::VecOps& ops = m_model->matmul().vecOps();
    const std::int64_t hd = d.headDim, qDim = d.heads * hd, group = d.heads / d.kvHeads;
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    const float* q = floats(m_q);
    float* out = floats(m_attn);
    // Blocks of 16 queries per head; the block kernel when the level has one and the block is
    // big enough to fill it, else query by query (the same arithmetic, gemm_kernels.h).
    constexpr std::int64_t kTokBlock = 16;
    const bool block = ops.attentionBlock != nullptr && hd % 16 == 0;
    const std::int64_t tokBlocks = (n + kTokBlock - 1) / kTokBlock;
    const std::int64_t tasks = d.heads * tokBlocks;
    auto run = [&](std::int64_t task) {
        thread_local AlignedBuffer scratch; // the block kernel wants 64-byte alignment
        const std::int64_t h = task % d.heads, tb = task / d.heads;
        const std::int64_t kvh = h / group;
        const float* Kt = m_cache.keys(layer, kvh);
        const float* V = m_cache.values(layer, kvh);
        const std::int64_t t0 = tb * kTokBlock, t1 = std::min(n, t0 + kTokBlock);
        if (block && t1 - t0 >= 4) {
            scratch.reserve(static_cast<std::size_t>(16 * (m_pos + t1 + hd)) * sizeof(float));
            ops.attentionBlock(q + t0 * qDim + h * hd, qDim, t1 - t0, m_pos + t0, Kt, m_nCtx, V, hd, d.slidingWindow, scale,
                               out + t0 * qDim + h * hd, qDim, scratch.as<float>());
            return;
        }
        scratch.reserve(static_cast<std::size_t>(m_nCtx) * sizeof(float));
        for (std::int64_t t = t0; t < t1; ++t) {
            const std::int64_t pos = m_pos + t;
            const std::int64_t j0 = d.slidingWindow > 0 ? std::max<std::int64_t>(0, pos - d.slidingWindow + 1) : 0;
            const std::int64_t nk = pos + 1 - j0;
            float* s = scratch.as<float>();
            ops.scoresT(q + t * qDim + h * hd, Kt + j0, m_nCtx, nk, hd, scale, s);
            const float mx = *std::max_element(s, s + nk);
            const float sum = ops.expShift(s, mx, nk);
            float* o = out + t * qDim + h * hd;
            ops.weightedRows(s, V + j0 * hd, nk, hd, o);
            ops.scale(1.0f / sum, o, hd);
        }
    };
    if (tasks == 1) {
        run(0);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, tasks), [&](const tbb::blocked_range<std::int64_t>& r) {
        for (std::int64_t i = r.begin(); i != r.end(); ++i) run(i);
    });
}

Status Session::step(const std::int32_t* tokens, std::int64_t n, float* logits, LogitsMode mode,
                     std::int64_t firstLogit, const EvalOptions& options, const std::stop_token& stop)
{
    const Model& m = *m_model;
    const ModelDims& d = m.dims();
    const Matmul& mm = m.matmul();
    const kernels::VecOps& ops = mm.vecOps();
    const std::int64_t H = d.hidden, hd = d.headDim, qDim = d.heads * hd, kvDim = d.kvHeads * hd, F = d.ff;
    float *x = floats(m_x), *xn = floats(m_xn), *q = floats(m_q), *k = floats(m_k), *v = floats(m_v);
    float *attn = floats(m_attn), *out = floats(m_out), *gate = floats(m_gate), *up = floats(m_up);

    forEach(n, H, [&](std::int64_t t) { m.embed(tokens[t], x + t * H); });

    // Rotation tables of the batch's positions.
    const Rope& rope = m.rope();
    const std::int64_t half = rope.rotatedDims() / 2;
    std::vector<float> cosT(static_cast<std::size_t>(n * half)), sinT(static_cast<std::size_t>(n * half));
    for (std::int64_t t = 0; t < n; ++t) rope.angles(m_pos + t, cosT.data() + t * half, sinT.data() + t * half);

    const double eps = m.spec().rmsNormEps;
    auto headNorm = [&](float* hv, const std::vector<float>& w) {
        const double ms = ops.sumSquares(hv, hd) / static_cast<double>(hd);
        const auto s = static_cast<float>(1.0 / std::sqrt(ms + eps));
        for (std::int64_t i = 0; i < hd; ++i) hv[i] = hv[i] * s * w[static_cast<std::size_t>(i)];
    };
    auto addBias = [](float* row, const std::vector<float>& b) {
        for (std::size_t i = 0; i < b.size(); ++i) row[i] += b[i];
    };

    for (std::int64_t l = 0; l < d.layers; ++l) {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, m.checkpoint().path().string(), "cancelled");
        const LayerWeights& L = m.layers()[static_cast<std::size_t>(l)];

        rmsNormRows(x, L.attnNorm, xn, n, H);
        m_act.reset(xn, H, n, H);
        mm.multiply(L.q, m_act, q, qDim);
        mm.multiply(L.k, m_act, k, kvDim);
        mm.multiply(L.v, m_act, v, kvDim);
        forEach(n, qDim + 2 * kvDim, [&](std::int64_t t) {
            float* qt = q + t * qDim;
            float* kt = k + t * kvDim;
            float* vt = v + t * kvDim;
            addBias(qt, L.qBias);
            addBias(kt, L.kBias);
            addBias(vt, L.vBias);
            const float* c = cosT.data() + t * half;
            const float* s = sinT.data() + t * half;
            for (std::int64_t h = 0; h < d.heads; ++h) {
                if (!L.qNorm.empty()) headNorm(qt + h * hd, L.qNorm);
                rope.rotate(qt + h * hd, c, s);
            }
            const std::int64_t pos = m_pos + t;
            for (std::int64_t h = 0; h < d.kvHeads; ++h) {
                if (!L.kNorm.empty()) headNorm(kt + h * hd, L.kNorm);
                rope.rotate(kt + h * hd, c, s);
                float* keysT = m_cache.keys(l, h);
                for (std::int64_t i = 0; i < hd; ++i) keysT[i * m_nCtx + pos] = kt[h * hd + i];
                std::copy(vt + h * hd, vt + (h + 1) * hd, m_cache.values(l, h) + pos * hd);
            }
        });
        attention(l, n);

        m_act.reset(attn, qDim, n, qDim);
        mm.multiply(L.o, m_act, out, H);
        forEach(n, H, [&](std::int64_t t) {
            for (std::int64_t i = 0; i < H; ++i) x[t * H + i] += out[t * H + i];
        });

        rmsNormRows(x, L.ffnNorm, xn, n, H);
        m_act.reset(xn, H, n, H);
        mm.multiply(L.gate, m_act, gate, F);
        mm.multiply(L.up, m_act, up, F);
        forEach(n, 8 * F, [&](std::int64_t t) { ops.siluMul(gate + t * F, up + t * F, F); });
        m_act.reset(gate, F, n, F);
        mm.multiply(L.down, m_act, out, H);
        forEach(n, H, [&](std::int64_t t) {
            for (std::int64_t i = 0; i < H; ++i) x[t * H + i] += out[t * H + i];
        });

        if (options.blockOutput) options.blockOutput(l, m_pos, n, x);
    }

    if (mode != LogitsMode::None) {
        const std::int64_t first = mode == LogitsMode::All ? firstLogit : n - 1;
        const std::int64_t rows = n - first;
        rmsNormRows(x + first * H, m.outputNorm(), xn, rows, H);
        m_act.reset(xn, H, rows, H);
        mm.multiply(m.output(), m_act, logits, d.vocab);
    }
    m_pos += n;
    return okStatus();
}

} // namespace condense::model
