#include "core/model/awq_model.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <numeric>
#include <utility>

#include "core/arch/tensor_naming.h"
#include "core/jobs/thread_arena.h"
#include "core/model/activation_batch.h"
#include "core/model/mean_abs_activations.h"
#include "core/model/owned_weight.h"

namespace condense::model {

namespace {

constexpr WeightRole kRoles[] = {WeightRole::AttnQ,   WeightRole::AttnK, WeightRole::AttnV,  WeightRole::AttnOutput,
                                 WeightRole::FfnGate, WeightRole::FfnUp, WeightRole::FfnDown};
constexpr int kRoleCount = 7;
constexpr std::int64_t kRowsPerProduct = 256; // token rows per matrix product (bounds scratch)

Error cancelled()
{
    return makeError(ErrorCode::Cancelled, {}, "AWQ stopped");
}

std::size_t roleIndex(WeightRole r)
{
    return static_cast<std::size_t>(r);
}

int siteIndex(LinearSite s)
{
    return static_cast<int>(s);
}

// Feeds MeanAbsActivations (when set) and records the rows of the block sites (when asked).
class SiteRecorder final : public ActivationObserver {
  public:
    void observe(const LinearInput& in) override
    {
        if (stats != nullptr) stats->observe(in);
        if (!record || in.site == LinearSite::Output) return;
        if (onlyAttnOut && in.site != LinearSite::AttnOut) return;
        auto& v = rows[static_cast<std::size_t>(siteIndex(in.site))];
        v.insert(v.end(), in.rows, in.rows + in.nTokens * in.cols);
    }
    MeanAbsActivations* stats = nullptr;
    bool record = false;
    bool onlyAttnOut = false;
    std::array<std::vector<float>, 4> rows; // AttnQKV, AttnOut, FfnGateUp, FfnDown
};

// Restores the session's observer, overrides and positions whatever way the run ends.
class SessionGuard {
  public:
    explicit SessionGuard(Session& s) : m_session(s), m_saved(s.observer()) {}
    ~SessionGuard()
    {
        m_session.setObserver(m_saved);
        m_session.reset();
    }
    SessionGuard(const SessionGuard&) = delete;
    SessionGuard& operator=(const SessionGuard&) = delete;

  private:
    Session& m_session;
    ActivationObserver* m_saved;
};

Result<std::shared_ptr<const OwnedWeight>> owned(std::int64_t rows, std::int64_t cols, std::span<const float> v)
{
    return OwnedWeight::fromFloats(DType::F32, rows, cols, v);
}

// y (n x w.rows) = x (n x w.cols) W^T, in pieces; inside an arena.
void product(const Matmul& mm, const WeightView& w, const float* x, std::int64_t n, float* y)
{
    ActivationBatch batch;
    for (std::int64_t t0 = 0; t0 < n; t0 += kRowsPerProduct) {
        const std::int64_t nt = std::min(kRowsPerProduct, n - t0);
        batch.reset(x + t0 * w.cols, w.cols, nt, w.cols);
        mm.multiply(w, batch, y + t0 * w.rows, w.rows);
    }
}

double sumSquares(const float* v, std::size_t n)
{
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i)
        s += static_cast<double>(v[i]) * static_cast<double>(v[i]);
    return s;
}

void scaleColumns(std::vector<float>& w, std::int64_t cols, std::span<const float> s, bool divide)
{
    const auto rows = static_cast<std::int64_t>(w.size()) / cols;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) {
            float& v = w[static_cast<std::size_t>(r * cols + c)];
            v = divide ? v / s[static_cast<std::size_t>(c)] : v * s[static_cast<std::size_t>(c)];
        }
}

void divideRows(std::vector<float>& w, std::int64_t cols, std::span<const float> s)
{
    const auto rows = static_cast<std::int64_t>(w.size()) / cols;
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c)
            w[static_cast<std::size_t>(r * cols + c)] /= s[static_cast<std::size_t>(r)];
}

// HF row of engine row e for a permuted Q/K matrix.
std::vector<std::int64_t> hfRowOf(std::int64_t rows, std::int64_t heads)
{
    std::vector<std::int64_t> m(static_cast<std::size_t>(rows));
    for (std::int64_t e = 0; e < rows; ++e)
        m[static_cast<std::size_t>(e)] = static_cast<std::int64_t>(arch::qkPermutedSourceRow(
            static_cast<std::uint64_t>(e), static_cast<std::uint64_t>(rows), static_cast<std::uint64_t>(heads)));
    return m;
}

template <typename T>
std::vector<T> permuteRows(const std::vector<T>& v, std::int64_t cols, const std::vector<std::int64_t>& hfRow,
                           bool toHf)
{
    if (v.empty()) return v;
    std::vector<T> out(v.size());
    for (std::size_t e = 0; e < hfRow.size(); ++e) {
        const auto h = static_cast<std::size_t>(hfRow[e]);
        const std::size_t from = toHf ? e : h, to = toHf ? h : e;
        std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(from * static_cast<std::size_t>(cols)), cols,
                    out.begin() + static_cast<std::ptrdiff_t>(to * static_cast<std::size_t>(cols)));
    }
    return out;
}

// Per-group arrays (groups x rows): permute within every group.
template <typename T>
std::vector<T> permuteGroupMajor(const std::vector<T>& v, std::int64_t rows, const std::vector<std::int64_t>& hfRow)
{
    std::vector<T> out(v.size());
    const std::int64_t groups = static_cast<std::int64_t>(v.size()) / rows;
    for (std::int64_t g = 0; g < groups; ++g)
        for (std::int64_t e = 0; e < rows; ++e)
            out[static_cast<std::size_t>(g * rows + hfRow[static_cast<std::size_t>(e)])] =
                v[static_cast<std::size_t>(g * rows + e)];
    return out;
}

bool permutedQk(const Model& m)
{
    return m.rope().layout() == RopeLayout::Norm;
}

std::int64_t headsOf(const Model& m, WeightRole r)
{
    return r == WeightRole::AttnQ ? m.dims().heads : m.dims().kvHeads;
}

std::string ggufVectorName(std::int64_t layer, BlockVector which)
{
    const std::string p = "blk." + std::to_string(layer) + ".";
    switch (which) {
    case BlockVector::AttnNorm:
        return p + "attn_norm.weight";
    case BlockVector::QBias:
        return p + "attn_q.bias";
    case BlockVector::KBias:
        return p + "attn_k.bias";
    case BlockVector::VBias:
        return p + "attn_v.bias";
    case BlockVector::FfnNorm:
        break;
    }
    return p + "ffn_norm.weight";
}

// One block's AWQ (steps 2 to 5 of the header), with its site inputs already recorded.
class BlockAwq {
  public:
    BlockAwq(Session& session, std::int64_t layer, const AwqRunConfig& config, jobs::ProgressSink& sink,
             std::uint64_t& done, std::uint64_t total, std::stop_token stop)
        : m_session(session), m_model(session.model()), m_layer(layer), m_config(config), m_opt(config.awq),
          m_sink(sink), m_done(done), m_total(total), m_stop(std::move(stop)), m_item("blk." + std::to_string(layer))
    {
    }

    Status run(std::vector<std::vector<float>>& blockIn, SiteRecorder& recorder, const MeanAbsActivations& stats,
               AwqModelResult& out);

  private:
    std::int64_t rowsOf(WeightRole r) const
    {
        return m_model.layers()[static_cast<std::size_t>(m_layer)].matrix(r).rows;
    }
    std::int64_t colsOf(WeightRole r) const
    {
        return m_model.layers()[static_cast<std::size_t>(m_layer)].matrix(r).cols;
    }
    std::vector<float>& w(WeightRole r) { return m_w[roleIndex(r)]; }
    void step(std::uint64_t n = 1)
    {
        m_done += n;
        m_sink.report(jobs::Stage::Quantizing, m_done, m_total, m_item);
    }
    // Searches one group; returns its scales (and records the report).
    Result<std::vector<float>> search(const std::string& name, std::span<const WeightRole> roles, LinearSite site,
                                      const MeanAbsActivations& stats, const quant::AwqLossFn& loss,
                                      AwqModelResult& out);
    Result<double> attentionLoss(std::span<const float> s, std::vector<std::vector<float>>& blockIn, SiteRecorder& rec);
    Result<double> linearLoss(WeightRole role, std::span<const float> x, std::span<const float> s);
    Result<double> mlpLoss(std::span<const float> s);
    Status mlpOutput(const WeightView& gate, const WeightView& up, std::vector<float>& y);

    Session& m_session;
    const Model& m_model;
    std::int64_t m_layer;
    const AwqRunConfig& m_config;
    const quant::AwqOptions& m_opt;
    jobs::ProgressSink& m_sink;
    std::uint64_t& m_done;
    std::uint64_t m_total;
    std::stop_token m_stop;
    std::string m_item;
    std::array<std::vector<float>, kRoleCount> m_w; // engine row order, float
    std::array<std::vector<float>, 4> m_x;          // recorded site inputs (search chunks)
    std::int64_t m_tokens = 0;                      // rows of m_x
    std::vector<float> m_attnRef;                   // self_attn output of the original
    std::vector<float> m_mlpRef;                    // mlp output of the original
    std::shared_ptr<const OwnedWeight> m_oF32, m_downF32;
};

Result<std::vector<float>> BlockAwq::search(const std::string& name, std::span<const WeightRole> roles, LinearSite site,
                                            const MeanAbsActivations& stats, const quant::AwqLossFn& loss,
                                            AwqModelResult& out)
{
    const std::vector<double> xMean = stats.means(m_layer, site);
    std::vector<quant::AwqMatrix> mats;
    for (WeightRole r : roles)
        mats.push_back({w(r), rowsOf(r)});
    const std::vector<double> wMean = quant::awqWeightMean(mats, colsOf(roles[0]), m_opt.groupSize);
    auto counted = [&](std::span<const float> s) -> Result<double> {
        auto l = loss(s);
        step();
        return l;
    };
    auto found = quant::awqSearchScales(xMean, wMean, m_opt, counted, m_stop);
    if (!found) {
        Error e = std::move(found).error();
        if (e.tensor.empty()) e.tensor = tensorName(m_layer, roles[0]);
        return e;
    }
    AwqGroupReport rep;
    rep.layer = m_layer;
    rep.name = name;
    rep.bestStep = found->bestStep;
    rep.alpha = found->alpha;
    rep.loss = found->losses[static_cast<std::size_t>(found->bestStep)];
    rep.lossAlpha0 = found->losses.front();
    rep.scales = found->scales;
    out.groups.push_back(std::move(rep));
    return std::move(found->scales);
}

Result<double> BlockAwq::attentionLoss(std::span<const float> s, std::vector<std::vector<float>>& blockIn,
                                       SiteRecorder& rec)
{
    const WeightRole qkv[] = {WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV};
    for (WeightRole r : qkv) {
        const std::vector<float> q = quant::awqScaledFakeQuant(w(r), rowsOf(r), colsOf(r), s, m_opt);
        auto ow = owned(rowsOf(r), colsOf(r), q);
        if (!ow) return std::move(ow).error();
        CONDENSE_TRY(m_session.overrideWeight(m_layer, r, *ow));
    }
    rec.stats = nullptr;
    rec.record = true;
    rec.onlyAttnOut = true;
    auto& attn = rec.rows[static_cast<std::size_t>(siteIndex(LinearSite::AttnOut))];
    attn.clear();
    m_session.setObserver(&rec);
    std::vector<float> tmp;
    Status st = okStatus();
    for (const std::vector<float>& in : blockIn) {
        tmp = in;
        const auto n = static_cast<std::int64_t>(in.size()) / m_model.dims().hidden;
        st = m_session.runBlock(m_layer, tmp, n, 0, m_stop);
        if (!st) break;
    }
    m_session.setObserver(nullptr);
    for (WeightRole r : qkv)
        CONDENSE_TRY(m_session.overrideWeight(m_layer, r, nullptr));
    if (!st) return std::move(st).error();
    // self_attn output difference = W_o (A' - A).
    const std::vector<float>& ref = m_x[static_cast<std::size_t>(siteIndex(LinearSite::AttnOut))];
    for (std::size_t i = 0; i < attn.size(); ++i)
        attn[i] -= ref[i];
    const std::int64_t H = m_model.dims().hidden;
    std::vector<float> y(static_cast<std::size_t>(m_tokens * H));
    product(m_model.matmul(), m_oF32->view(), attn.data(), m_tokens, y.data());
    return sumSquares(y.data(), y.size()) / static_cast<double>(y.size());
}

Result<double> BlockAwq::linearLoss(WeightRole role, std::span<const float> x, std::span<const float> s)
{
    const std::int64_t rows = rowsOf(role), cols = colsOf(role);
    std::vector<float> d = quant::awqScaledFakeQuant(w(role), rows, cols, s, m_opt);
    const std::vector<float>& orig = w(role);
    for (std::size_t i = 0; i < d.size(); ++i)
        d[i] -= orig[i];
    auto dw = owned(rows, cols, d);
    if (!dw) return std::move(dw).error();
    std::vector<float> y(static_cast<std::size_t>(m_tokens * rows));
    product(m_model.matmul(), (*dw)->view(), x.data(), m_tokens, y.data());
    return sumSquares(y.data(), y.size()) / static_cast<double>(y.size());
}

Status BlockAwq::mlpOutput(const WeightView& gate, const WeightView& up, std::vector<float>& y)
{
    const std::int64_t H = m_model.dims().hidden, F = gate.rows;
    const std::vector<float>& x = m_x[static_cast<std::size_t>(siteIndex(LinearSite::FfnGateUp))];
    y.assign(static_cast<std::size_t>(m_tokens * H), 0.0f);
    std::vector<float> g(static_cast<std::size_t>(kRowsPerProduct * F)), u(g.size());
    const Matmul& mm = m_model.matmul();
    for (std::int64_t t0 = 0; t0 < m_tokens; t0 += kRowsPerProduct) {
        if (m_stop.stop_requested()) return cancelled();
        const std::int64_t nt = std::min(kRowsPerProduct, m_tokens - t0);
        product(mm, gate, x.data() + t0 * H, nt, g.data());
        product(mm, up, x.data() + t0 * H, nt, u.data());
        for (std::int64_t t = 0; t < nt; ++t)
            mm.vecOps().siluMul(g.data() + t * F, u.data() + t * F, F);
        product(mm, m_downF32->view(), g.data(), nt, y.data() + t0 * H);
    }
    return okStatus();
}

Result<double> BlockAwq::mlpLoss(std::span<const float> s)
{
    const std::int64_t F = rowsOf(WeightRole::FfnGate), H = colsOf(WeightRole::FfnGate);
    auto g = owned(F, H, quant::awqScaledFakeQuant(w(WeightRole::FfnGate), F, H, s, m_opt));
    if (!g) return std::move(g).error();
    auto u = owned(F, H, quant::awqScaledFakeQuant(w(WeightRole::FfnUp), F, H, s, m_opt));
    if (!u) return std::move(u).error();
    std::vector<float> y;
    CONDENSE_TRY(mlpOutput((*g)->view(), (*u)->view(), y));
    for (std::size_t i = 0; i < y.size(); ++i)
        y[i] -= m_mlpRef[i];
    return sumSquares(y.data(), y.size()) / static_cast<double>(y.size());
}

Status BlockAwq::run(std::vector<std::vector<float>>& blockIn, SiteRecorder& recorder, const MeanAbsActivations& stats,
                     AwqModelResult& out)
{
    const ModelDims& d = m_model.dims();
    const LayerWeights& L = m_model.layers()[static_cast<std::size_t>(m_layer)];
    for (WeightRole r : kRoles) {
        auto f = toFloats(L.matrix(r));
        if (!f) {
            Error e = std::move(f).error();
            e.tensor = tensorName(m_layer, r);
            return e;
        }
        w(r) = std::move(*f);
    }
    m_x = std::move(recorder.rows);
    recorder.rows = {};
    m_tokens = static_cast<std::int64_t>(m_x[0].size()) / d.hidden;
    auto o = owned(d.hidden, colsOf(WeightRole::AttnOutput), w(WeightRole::AttnOutput));
    if (!o) return std::move(o).error();
    m_oF32 = *o;
    auto down = owned(d.hidden, d.ff, w(WeightRole::FfnDown));
    if (!down) return std::move(down).error();
    m_downF32 = *down;

    // 2. The searches, all on the original weights.
    const WeightRole qkv[] = {WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV};
    auto s1 = search(
        "attn_norm>qkv", qkv, LinearSite::AttnQKV, stats,
        [&](std::span<const float> s) { return attentionLoss(s, blockIn, recorder); }, out);
    if (!s1) return std::move(s1).error();

    const WeightView& vView = L.matrix(WeightRole::AttnV);
    const WeightView& oView = L.matrix(WeightRole::AttnOutput);
    const bool voGroup = vView.rows == oView.rows && vView.cols == oView.cols;
    std::vector<float> s2;
    const WeightRole oRole[] = {WeightRole::AttnOutput};
    if (voGroup) {
        const auto& xo = m_x[static_cast<std::size_t>(siteIndex(LinearSite::AttnOut))];
        auto found = search(
            "attn_v>attn_output", oRole, LinearSite::AttnOut, stats,
            [&](std::span<const float> s) { return linearLoss(WeightRole::AttnOutput, xo, s); }, out);
        if (!found) return std::move(found).error();
        s2 = std::move(*found);
    } else {
        step(static_cast<std::uint64_t>(m_opt.nGrid));
    }

    {
        auto g = owned(d.ff, d.hidden, w(WeightRole::FfnGate));
        if (!g) return std::move(g).error();
        auto u = owned(d.ff, d.hidden, w(WeightRole::FfnUp));
        if (!u) return std::move(u).error();
        CONDENSE_TRY(mlpOutput((*g)->view(), (*u)->view(), m_mlpRef));
    }
    const WeightRole gateUp[] = {WeightRole::FfnGate, WeightRole::FfnUp};
    auto s3 = search(
        "ffn_norm>gate_up", gateUp, LinearSite::FfnGateUp, stats, [&](std::span<const float> s) { return mlpLoss(s); },
        out);
    if (!s3) return std::move(s3).error();

    const WeightRole downRole[] = {WeightRole::FfnDown};
    const auto& xd = m_x[static_cast<std::size_t>(siteIndex(LinearSite::FfnDown))];
    auto s4 = search(
        "ffn_up>ffn_down", downRole, LinearSite::FfnDown, stats,
        [&](std::span<const float> s) { return linearLoss(WeightRole::FfnDown, xd, s); }, out);
    if (!s4) return std::move(s4).error();

    // 3. Fold.
    std::vector<float> attnNorm = L.attnNorm, ffnNorm = L.ffnNorm, vBias = L.vBias;
    for (std::size_t j = 0; j < attnNorm.size(); ++j)
        attnNorm[j] /= (*s1)[j];
    for (WeightRole r : qkv)
        scaleColumns(w(r), colsOf(r), *s1, false);
    auto& xqkv = m_x[static_cast<std::size_t>(siteIndex(LinearSite::AttnQKV))];
    scaleColumns(xqkv, d.hidden, *s1, true);
    if (voGroup) {
        divideRows(w(WeightRole::AttnV), colsOf(WeightRole::AttnV), s2);
        for (std::size_t j = 0; j < vBias.size(); ++j)
            vBias[j] /= s2[j];
        scaleColumns(w(WeightRole::AttnOutput), colsOf(WeightRole::AttnOutput), s2, false);
        scaleColumns(m_x[static_cast<std::size_t>(siteIndex(LinearSite::AttnOut))], colsOf(WeightRole::AttnOutput), s2,
                     true);
    }
    for (std::size_t j = 0; j < ffnNorm.size(); ++j)
        ffnNorm[j] /= (*s3)[j];
    for (WeightRole r : gateUp)
        scaleColumns(w(r), d.hidden, *s3, false);
    scaleColumns(m_x[static_cast<std::size_t>(siteIndex(LinearSite::FfnGateUp))], d.hidden, *s3, true);
    divideRows(w(WeightRole::FfnUp), d.hidden, *s4);
    scaleColumns(w(WeightRole::FfnDown), d.ff, *s4, false);
    scaleColumns(m_x[static_cast<std::size_t>(siteIndex(LinearSite::FfnDown))], d.ff, *s4, true);

    // 4. Clipping (not q, k: the q k^T product makes a per-linear error misleading).
    if (m_opt.applyClip && m_tokens > 0) {
        const std::pair<WeightRole, LinearSite> clipped[] = {{WeightRole::AttnV, LinearSite::AttnQKV},
                                                             {WeightRole::AttnOutput, LinearSite::AttnOut},
                                                             {WeightRole::FfnGate, LinearSite::FfnGateUp},
                                                             {WeightRole::FfnUp, LinearSite::FfnGateUp},
                                                             {WeightRole::FfnDown, LinearSite::FfnDown}};
        for (const auto& [r, site] : clipped) {
            if (m_stop.stop_requested()) return cancelled();
            auto clip = quant::awqSearchClip(w(r), rowsOf(r), colsOf(r), m_x[static_cast<std::size_t>(siteIndex(site))],
                                             m_tokens, m_opt, m_stop);
            if (!clip) {
                Error e = std::move(clip).error();
                e.tensor = tensorName(m_layer, r);
                return e;
            }
            quant::awqApplyClip(w(r), rowsOf(r), colsOf(r), *clip, m_opt.groupSize);
            out.clipErrorUnclipped += std::accumulate(clip->errUnclipped.begin(), clip->errUnclipped.end(), 0.0);
            out.clipErrorClipped += std::accumulate(clip->errClipped.begin(), clip->errClipped.end(), 0.0);
        }
    }
    m_x = {};

    // 5. Quantize; results in HF row order.
    const bool permuted = permutedQk(m_model);
    for (WeightRole r : kRoles) {
        if (m_stop.stop_requested()) return cancelled();
        AwqLinear lin;
        lin.layer = m_layer;
        lin.role = r;
        lin.hfName = hfLinearName(m_layer, r);
        lin.ggufName = tensorName(m_layer, r);
        lin.rows = rowsOf(r);
        lin.cols = colsOf(r);
        if (m_config.quantize) {
            auto q = quant::awqQuantize(w(r), lin.rows, lin.cols, m_opt);
            if (!q) {
                Error e = std::move(q).error();
                e.tensor = lin.ggufName;
                return e;
            }
            lin.quant = std::move(*q);
        }
        if (!m_config.quantize || m_config.keepFolded) lin.folded = std::move(w(r));
        if (permuted && (r == WeightRole::AttnQ || r == WeightRole::AttnK)) {
            const auto hfRow = hfRowOf(lin.rows, headsOf(m_model, r));
            lin.folded = permuteRows(lin.folded, lin.cols, hfRow, true);
            if (m_config.quantize) {
                lin.quant.codes = permuteRows(lin.quant.codes, lin.cols, hfRow, true);
                lin.quant.dequantized = permuteRows(lin.quant.dequantized, lin.cols, hfRow, true);
                lin.quant.scales = permuteGroupMajor(lin.quant.scales, lin.rows, hfRow);
                lin.quant.zeros = permuteGroupMajor(lin.quant.zeros, lin.rows, hfRow);
            }
        }
        out.linears.push_back(std::move(lin));
    }
    auto addVector = [&](BlockVector which, std::vector<float> v) {
        AwqVector av;
        av.layer = m_layer;
        av.which = which;
        av.hfName = hfVectorName(m_layer, which);
        av.ggufName = ggufVectorName(m_layer, which);
        av.values = std::move(v);
        out.vectors.push_back(std::move(av));
    };
    addVector(BlockVector::AttnNorm, std::move(attnNorm));
    if (voGroup && !vBias.empty()) addVector(BlockVector::VBias, std::move(vBias));
    addVector(BlockVector::FfnNorm, std::move(ffnNorm));
    step();
    return okStatus();
}

} // namespace

std::string hfLinearName(std::int64_t layer, WeightRole role)
{
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    switch (role) {
    case WeightRole::AttnQ:
        return p + "self_attn.q_proj";
    case WeightRole::AttnK:
        return p + "self_attn.k_proj";
    case WeightRole::AttnV:
        return p + "self_attn.v_proj";
    case WeightRole::AttnOutput:
        return p + "self_attn.o_proj";
    case WeightRole::FfnGate:
        return p + "mlp.gate_proj";
    case WeightRole::FfnUp:
        return p + "mlp.up_proj";
    case WeightRole::FfnDown:
        return p + "mlp.down_proj";
    case WeightRole::TokenEmbd:
        return "model.embed_tokens";
    case WeightRole::Output:
        return "lm_head";
    }
    return {};
}

std::string hfVectorName(std::int64_t layer, BlockVector which)
{
    const std::string p = "model.layers." + std::to_string(layer) + ".";
    switch (which) {
    case BlockVector::AttnNorm:
        return p + "input_layernorm.weight";
    case BlockVector::QBias:
        return p + "self_attn.q_proj.bias";
    case BlockVector::KBias:
        return p + "self_attn.k_proj.bias";
    case BlockVector::VBias:
        return p + "self_attn.v_proj.bias";
    case BlockVector::FfnNorm:
        break;
    }
    return p + "post_attention_layernorm.weight";
}

Result<AwqModelResult> runAwq(std::shared_ptr<const Model> model, std::span<const std::vector<std::int32_t>> chunks,
                              const AwqRunConfig& config, jobs::ProgressSink& sink, std::stop_token stop)
{
    if (!model) return makeError(ErrorCode::InvalidArgument, {}, "no model");
    const std::string file = model->checkpoint().path().string();
    if (chunks.empty()) return makeError(ErrorCode::InvalidArgument, file, "AWQ needs at least one calibration chunk");
    std::int64_t longest = 0, tokens = 0;
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        if (chunks[c].empty())
            return makeError(ErrorCode::InvalidArgument, file, "calibration chunk " + std::to_string(c) + " is empty");
        longest = std::max(longest, static_cast<std::int64_t>(chunks[c].size()));
        tokens += static_cast<std::int64_t>(chunks[c].size());
    }
    const ModelDims& d = model->dims();
    for (WeightRole r : kRoles) {
        const std::int64_t cols = model->layers().front().matrix(r).cols;
        if (Status st = quant::checkAwqOptions(config.awq, cols); !st) {
            Error e = std::move(st).error();
            e.file = file;
            e.tensor = tensorName(0, r);
            return e;
        }
    }
    const auto start = std::chrono::steady_clock::now();
    auto created = Session::create(model, {.nCtx = longest, .maxBatch = 512, .threads = config.threads});
    if (!created) return std::move(created).error();
    Session& session = **created;
    SessionGuard guard(session);
    jobs::ThreadArena arena(jobs::ThreadingConfig{config.threads});

    const auto nChunks = static_cast<std::int64_t>(chunks.size());
    const std::int64_t searchChunks = config.searchChunks > 0 ? std::min(config.searchChunks, nChunks) : nChunks;
    const std::uint64_t perLayer = 2 + 4 * static_cast<std::uint64_t>(config.awq.nGrid);
    const std::uint64_t total = perLayer * static_cast<std::uint64_t>(d.layers);
    std::uint64_t done = 0;
    sink.report(jobs::Stage::Quantizing, 0, total, "blk.0");

    AwqModelResult out;
    out.calibrationTokens = tokens;
    for (std::int64_t c = 0; c < searchChunks; ++c)
        out.searchTokens += static_cast<std::int64_t>(chunks[static_cast<std::size_t>(c)].size());

    std::vector<std::vector<float>> hidden(chunks.size());
    for (std::size_t c = 0; c < chunks.size(); ++c) {
        hidden[c].resize(chunks[c].size() * static_cast<std::size_t>(d.hidden));
        if (Status st = session.embed(chunks[c], hidden[c]); !st) {
            Error e = std::move(st).error();
            e.detail = "calibration chunk " + std::to_string(c) + ": " + e.detail;
            return e;
        }
    }

    Status status = okStatus();
    for (std::int64_t l = 0; l < d.layers && status; ++l) {
        // 1. The original block over every chunk: statistics, recorded inputs, next inputs.
        MeanAbsActivations stats;
        stats.setLayers(l, l);
        SiteRecorder recorder;
        recorder.stats = &stats;
        std::vector<std::vector<float>> blockIn(static_cast<std::size_t>(searchChunks));
        session.setObserver(&recorder);
        for (std::int64_t c = 0; c < nChunks; ++c) {
            if (stop.stop_requested()) return cancelled();
            const auto ci = static_cast<std::size_t>(c);
            recorder.record = c < searchChunks;
            if (recorder.record) blockIn[ci] = hidden[ci];
            CONDENSE_TRY(session.runBlock(l, hidden[ci], static_cast<std::int64_t>(chunks[ci].size()), 0, stop));
        }
        session.setObserver(nullptr);
        done += 1;
        sink.report(jobs::Stage::Quantizing, done, total, "blk." + std::to_string(l));

        BlockAwq block(session, l, config, sink, done, total, stop);
        arena.execute([&] { status = block.run(blockIn, recorder, stats, out); });
    }
    if (!status) {
        Error e = std::move(status).error();
        if (e.file.empty()) e.file = file;
        return e;
    }
    sink.report(jobs::Stage::Quantizing, total, total);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

Status installAwq(Session& session, const AwqModelResult& result)
{
    const Model& m = session.model();
    const bool permuted = permutedQk(m);
    for (const AwqLinear& lin : result.linears) {
        const std::vector<float>& hf = lin.quant.dequantized.empty() ? lin.folded : lin.quant.dequantized;
        std::vector<float> engine;
        if (permuted && (lin.role == WeightRole::AttnQ || lin.role == WeightRole::AttnK))
            engine = permuteRows(hf, lin.cols, hfRowOf(lin.rows, headsOf(m, lin.role)), false);
        auto w = OwnedWeight::fromFloats(DType::F32, lin.rows, lin.cols, engine.empty() ? hf : engine);
        if (!w) return std::move(w).error();
        CONDENSE_TRY(session.overrideWeight(lin.layer, lin.role, *w));
    }
    for (const AwqVector& v : result.vectors)
        CONDENSE_TRY(session.overrideVector(v.layer, v.which, v.values));
    return okStatus();
}

} // namespace condense::model
