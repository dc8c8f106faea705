#include "core/model/session.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

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
    if (Status st = checkTokens(tokens); !st.ok()) return st;
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

void Session::attention(std::int64_t layer, std::int64_t n, std::int64_t pos)
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
            scratch.reserve(static_cast<std::size_t>(16 * (pos + t1 + hd)) * sizeof(float));
            ops.attentionBlock(q + t0 * qDim + h * hd, qDim, t1 - t0, pos + t0, Kt, m_nCtx, V, hd, d.slidingWindow, scale,
                               out + t0 * qDim + h * hd, qDim, scratch.as<float>());
            return;
        }
        scratch.reserve(static_cast<std::size_t>(m_nCtx) * sizeof(float));
        for (std::int64_t t = t0; t < t1; ++t) {
            const std::int64_t p = pos + t;
            const std::int64_t j0 = d.slidingWindow > 0 ? std::max<std::int64_t>(0, p - d.slidingWindow + 1) : 0;
            const std::int64_t nk = p + 1 - j0;
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

Status Session::checkTokens(std::span<const std::int32_t> tokens) const
{
    const std::int64_t vocab = m_model->dims().vocab;
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (tokens[i] < 0 || tokens[i] >= vocab)
            return makeError(ErrorCode::InvalidArgument, m_model->checkpoint().path().string(),
                             "token id " + std::to_string(tokens[i]) + " at index " + std::to_string(i) +
                                 " is outside the vocabulary of " + std::to_string(vocab));
    return okStatus();
}

void Session::notify(std::int64_t layer, LinearSite site, std::int64_t pos, std::int64_t n, std::int64_t cols,
                     const float* rows)
{
    LinearInput in;
    in.layer = layer;
    in.site = site;
    in.roles = siteRoles(site);
    in.firstPosition = pos;
    in.nTokens = n;
    in.cols = cols;
    in.rows = rows;
    m_observer->observe(in);
}

void Session::embedRows(const std::int32_t* tokens, std::int64_t n, float* x)
{
    const std::int64_t H = m_model->dims().hidden;
    if (!m_embdOverride) {
        forEach(n, H, [&](std::int64_t t) { m_model->embed(tokens[t], x + t * H); });
        return;
    }
    const WeightView& w = m_embdOverride->view();
    const DTypeTraits* tr = dtypeTraits(w.type);
    const quant::QuantKernels* q = tr != nullptr && tr->isQuantized ? quant::quantKernels(w.type) : nullptr;
    forEach(n, H, [&](std::int64_t t) {
        if (q != nullptr) q->dequantizeRow(w.row(tokens[t]), x + t * H, H);
        else convertToF32(w.type, w.row(tokens[t]), x + t * H, static_cast<std::size_t>(H));
    });
}

void Session::ropeTables(std::int64_t pos, std::int64_t n)
{
    const Rope& rope = m_model->rope();
    const std::int64_t half = rope.rotatedDims() / 2;
    m_cos.resize(static_cast<std::size_t>(n * half));
    m_sin.resize(static_cast<std::size_t>(n * half));
    for (std::int64_t t = 0; t < n; ++t) rope.angles(pos + t, m_cos.data() + t * half, m_sin.data() + t * half);
}

void Session::block(std::int64_t l, float* x, std::int64_t n, std::int64_t pos)
{
    const Model& m = *m_model;
    const ModelDims& d = m.dims();
    const Matmul& mm = m.matmul();
    const kernels::VecOps& ops = mm.vecOps();
    const std::int64_t H = d.hidden, hd = d.headDim, qDim = d.heads * hd, kvDim = d.kvHeads * hd, F = d.ff;
    float *xn = floats(m_xn), *q = floats(m_q), *k = floats(m_k), *v = floats(m_v);
    float *attn = floats(m_attn), *out = floats(m_out), *gate = floats(m_gate), *up = floats(m_up);
    const Rope& rope = m.rope();
    const std::int64_t half = rope.rotatedDims() / 2;
    const double eps = m.spec().rmsNormEps;
    auto headNorm = [&](float* hv, const std::vector<float>& w) {
        const double ms = ops.sumSquares(hv, hd) / static_cast<double>(hd);
        const auto s = static_cast<float>(1.0 / std::sqrt(ms + eps));
        for (std::int64_t i = 0; i < hd; ++i) hv[i] = hv[i] * s * w[static_cast<std::size_t>(i)];
    };
    auto addBias = [](float* row, const std::vector<float>& b) {
        for (std::size_t i = 0; i < b.size(); ++i) row[i] += b[i];
    };
    const LayerWeights& L = layerWeights(l);

    rmsNormRows(x, L.attnNorm, xn, n, H);
    if (m_observer) notify(l, LinearSite::AttnQKV, pos, n, H, xn);
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
        const float* c = m_cos.data() + t * half;
        const float* s = m_sin.data() + t * half;
        for (std::int64_t h = 0; h < d.heads; ++h) {
            if (!L.qNorm.empty()) headNorm(qt + h * hd, L.qNorm);
            rope.rotate(qt + h * hd, c, s);
        }
        const std::int64_t p = pos + t;
        for (std::int64_t h = 0; h < d.kvHeads; ++h) {
            if (!L.kNorm.empty()) headNorm(kt + h * hd, L.kNorm);
            rope.rotate(kt + h * hd, c, s);
            float* keysT = m_cache.keys(l, h);
            for (std::int64_t i = 0; i < hd; ++i) keysT[i * m_nCtx + p] = kt[h * hd + i];
            std::copy(vt + h * hd, vt + (h + 1) * hd, m_cache.values(l, h) + p * hd);
        }
    });
    attention(l, n, pos);

    if (m_observer) notify(l, LinearSite::AttnOut, pos, n, qDim, attn);
    m_act.reset(attn, qDim, n, qDim);
    mm.multiply(L.o, m_act, out, H);
    forEach(n, H, [&](std::int64_t t) {
        for (std::int64_t i = 0; i < H; ++i) x[t * H + i] += out[t * H + i];
    });

    rmsNormRows(x, L.ffnNorm, xn, n, H);
    if (m_observer) notify(l, LinearSite::FfnGateUp, pos, n, H, xn);
    m_act.reset(xn, H, n, H);
    mm.multiply(L.gate, m_act, gate, F);
    mm.multiply(L.up, m_act, up, F);
    forEach(n, 8 * F, [&](std::int64_t t) { ops.siluMul(gate + t * F, up + t * F, F); });
    if (m_observer) notify(l, LinearSite::FfnDown, pos, n, F, gate);
    m_act.reset(gate, F, n, F);
    mm.multiply(L.down, m_act, out, H);
    forEach(n, H, [&](std::int64_t t) {
        for (std::int64_t i = 0; i < H; ++i) x[t * H + i] += out[t * H + i];
    });
}

void Session::headRows(const float* x, std::int64_t n, float* logits, LogitsMode mode, std::int64_t firstLogit,
                       std::int64_t pos)
{
    if (mode == LogitsMode::None) return;
    const std::int64_t H = m_model->dims().hidden;
    const std::int64_t first = mode == LogitsMode::All ? firstLogit : n - 1;
    const std::int64_t rows = n - first;
    if (rows <= 0) return;
    float* xn = floats(m_xn);
    rmsNormRows(x + first * H, m_model->outputNorm(), xn, rows, H);
    if (m_observer) notify(-1, LinearSite::Output, pos + first, rows, H, xn);
    m_act.reset(xn, H, rows, H);
    m_model->matmul().multiply(weight(-1, WeightRole::Output), m_act, logits, m_model->dims().vocab);
}

Status Session::step(const std::int32_t* tokens, std::int64_t n, float* logits, LogitsMode mode,
                     std::int64_t firstLogit, const EvalOptions& options, const std::stop_token& stop)
{
    float* x = floats(m_x);
    embedRows(tokens, n, x);
    ropeTables(m_pos, n);
    for (std::int64_t l = 0; l < m_model->dims().layers; ++l) {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, m_model->checkpoint().path().string(), "cancelled");
        block(l, x, n, m_pos);
        if (options.blockOutput) options.blockOutput(l, m_pos, n, x);
    }
    headRows(x, n, logits, mode, firstLogit, m_pos);
    m_pos += n;
    return okStatus();
}

Status Session::embed(std::span<const std::int32_t> tokens, std::span<float> hidden)
{
    const auto n = static_cast<std::int64_t>(tokens.size());
    const std::int64_t H = m_model->dims().hidden;
    if (Status st = checkTokens(tokens); !st.ok()) return st;
    if (hidden.size() < static_cast<std::size_t>(n * H))
        return makeError(ErrorCode::InvalidArgument, "", "hidden buffer holds " + std::to_string(hidden.size()) +
                                                             " floats, " + std::to_string(n * H) + " needed");
    m_arena->execute([&] { embedRows(tokens.data(), n, hidden.data()); });
    return okStatus();
}

Status Session::runBlock(std::int64_t layer, std::span<float> hidden, std::int64_t nTokens, std::int64_t firstPosition,
                         std::stop_token stop)
{
    const std::int64_t H = m_model->dims().hidden;
    if (layer < 0 || layer >= m_model->dims().layers)
        return makeError(ErrorCode::InvalidArgument, "", "layer " + std::to_string(layer) + " does not exist");
    if (nTokens < 0 || firstPosition < 0 || nTokens > m_nCtx - firstPosition)
        return makeError(ErrorCode::InvalidArgument, "",
                         "positions " + std::to_string(firstPosition) + " + " + std::to_string(nTokens) +
                             " do not fit the context of " + std::to_string(m_nCtx));
    if (hidden.size() < static_cast<std::size_t>(nTokens * H))
        return makeError(ErrorCode::InvalidArgument, "", "hidden buffer holds " + std::to_string(hidden.size()) +
                                                             " floats, " + std::to_string(nTokens * H) + " needed");
    Status status = okStatus();
    m_arena->execute([&] {
        for (std::int64_t done = 0; done < nTokens; done += m_maxBatch) {
            if (stop.stop_requested()) {
                status = makeError(ErrorCode::Cancelled, m_model->checkpoint().path().string(), "cancelled");
                return;
            }
            const std::int64_t b = std::min(m_maxBatch, nTokens - done);
            ropeTables(firstPosition + done, b);
            block(layer, hidden.data() + done * H, b, firstPosition + done);
        }
    });
    return status;
}

Status Session::head(std::span<const float> hidden, std::int64_t nTokens, std::span<float> logits, LogitsMode mode,
                     std::int64_t firstLogit)
{
    const std::int64_t H = m_model->dims().hidden, vocab = m_model->dims().vocab;
    if (nTokens < 0 || hidden.size() < static_cast<std::size_t>(nTokens * H))
        return makeError(ErrorCode::InvalidArgument, "", "hidden buffer holds " + std::to_string(hidden.size()) +
                                                             " floats, " + std::to_string(nTokens * H) + " needed");
    if (firstLogit < 0 || (mode == LogitsMode::All && firstLogit > nTokens))
        return makeError(ErrorCode::InvalidArgument, "", "first logit row " + std::to_string(firstLogit) + " is outside the tokens");
    if (logits.size() < logitsSize(nTokens, mode, firstLogit))
        return makeError(ErrorCode::InvalidArgument, "", "logits buffer holds " + std::to_string(logits.size()) +
                                                             " floats, " + std::to_string(logitsSize(nTokens, mode, firstLogit)) + " needed");
    if (nTokens == 0 || mode == LogitsMode::None) return okStatus();
    m_arena->execute([&] {
        if (mode == LogitsMode::Last) {
            headRows(hidden.data() + (nTokens - 1) * H, 1, logits.data(), LogitsMode::All, 0, m_pos + nTokens - 1);
            return;
        }
        // In pieces of maxBatch rows (the scratch's size).
        for (std::int64_t r = firstLogit; r < nTokens; r += m_maxBatch) {
            const std::int64_t b = std::min(m_maxBatch, nTokens - r);
            headRows(hidden.data() + r * H, b, logits.data() + (r - firstLogit) * vocab, LogitsMode::All, 0, m_pos + r);
        }
    });
    return okStatus();
}

Status Session::overrideWeight(std::int64_t layer, WeightRole role, std::shared_ptr<const OwnedWeight> weight)
{
    const ModelDims& d = m_model->dims();
    const bool perBlock = isBlockRole(role);
    if (perBlock ? (layer < 0 || layer >= d.layers) : layer != -1)
        return makeError(ErrorCode::InvalidArgument, "",
                         "layer " + std::to_string(layer) + " is not valid for " + weightRoleName(role));
    const WeightView& original = perBlock ? m_model->layers()[static_cast<std::size_t>(layer)].matrix(role)
                                       : (role == WeightRole::TokenEmbd ? m_model->tokenEmbedding() : m_model->output());
    if (weight && (weight->view().rows != original.rows || weight->view().cols != original.cols)) {
        Error e = makeError(ErrorCode::InvalidArgument, "",
                            "replacement is " + std::to_string(weight->view().rows) + " x " +
                                std::to_string(weight->view().cols) + ", the weight is " + std::to_string(original.rows) +
                                " x " + std::to_string(original.cols));
        e.tensor = tensorName(layer, role);
        return e;
    }
    if (!perBlock) {
        (role == WeightRole::TokenEmbd ? m_embdOverride : m_outputOverride) = std::move(weight);
        return okStatus();
    }
    const auto l = static_cast<std::size_t>(layer);
    if (!weight && (m_layerOverrides.empty() || !m_layerOverrides[l])) return okStatus();
    LayerOverride* lo = layerOverride(l);
    lo->weights.matrix(role) = weight ? weight->view() : original;
    lo->owned[static_cast<int>(role)] = std::move(weight);
    dropIfEmpty(l);
    return okStatus();
}

bool Session::LayerOverride::empty() const
{
    return std::none_of(std::begin(owned), std::end(owned), [](const auto& w) { return w != nullptr; }) &&
           std::none_of(std::begin(vectors), std::end(vectors), [](bool v) { return v; });
}

Session::LayerOverride* Session::layerOverride(std::size_t layer)
{
    if (m_layerOverrides.empty()) m_layerOverrides.resize(static_cast<std::size_t>(m_model->dims().layers));
    auto& lo = m_layerOverrides[layer];
    if (!lo) {
        lo = std::make_unique<LayerOverride>();
        lo->weights = m_model->layers()[layer];
    }
    return lo.get();
}

void Session::dropIfEmpty(std::size_t layer)
{
    if (m_layerOverrides[layer] && m_layerOverrides[layer]->empty()) m_layerOverrides[layer].reset();
}

Status Session::overrideVector(std::int64_t layer, BlockVector which, std::vector<float> values)
{
    const ModelDims& d = m_model->dims();
    if (layer < 0 || layer >= d.layers)
        return makeError(ErrorCode::InvalidArgument, "", "layer " + std::to_string(layer) + " does not exist");
    const auto l = static_cast<std::size_t>(layer);
    auto pick = [which](auto& w) -> auto& {
        switch (which) {
        case BlockVector::AttnNorm: return w.attnNorm;
        case BlockVector::QBias: return w.qBias;
        case BlockVector::KBias: return w.kBias;
        case BlockVector::VBias: return w.vBias;
        case BlockVector::FfnNorm: break;
        }
        return w.ffnNorm;
    };
    const std::vector<float>& original = pick(m_model->layers()[l]);
    if (!values.empty() && values.size() != original.size())
        return makeError(ErrorCode::InvalidArgument, "",
                         "replacement vector has " + std::to_string(values.size()) + " values, block " +
                             std::to_string(layer) + "'s has " + std::to_string(original.size()));
    if (values.empty() && (m_layerOverrides.empty() || !m_layerOverrides[l])) return okStatus();
    LayerOverride* lo = layerOverride(l);
    const bool replaced = !values.empty();
    pick(lo->weights) = replaced ? std::move(values) : original;
    lo->vectors[static_cast<int>(which)] = replaced;
    dropIfEmpty(l);
    return okStatus();
}

void Session::clearOverrides()
{
    m_layerOverrides.clear();
    m_embdOverride.reset();
    m_outputOverride.reset();
}

const WeightView& Session::weight(std::int64_t layer, WeightRole role) const
{
    if (isBlockRole(role)) return layerWeights(layer).matrix(role);
    if (role == WeightRole::TokenEmbd) return m_embdOverride ? m_embdOverride->view() : m_model->tokenEmbedding();
    return m_outputOverride ? m_outputOverride->view() : m_model->output();
}

} // namespace condense::model
