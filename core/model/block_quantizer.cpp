#include "core/model/block_quantizer.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/arch/tensor_naming.h"
#include "core/common/heap_trim.h"
#include "core/jobs/thread_arena.h"
#include "core/model/block_capture.h"
#include "core/model/paired_input_accumulator.h"
#include "core/model/owned_weight.h"

namespace condense::model {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Relative speeds of the work kinds (multiply-adds per second of one thread, measured on the
// 2-core development machine with TinyLlama-1.1B's shapes): only their ratios matter, for the
// progress fraction.
constexpr double kForwardRate = 20e9;  // block matmuls (float kernels)
constexpr double kHessianRate = 5e9;   // X^T X in double
constexpr double kQuantizeRate = 12e9; // gptqQuantize (Eigen, double)

constexpr std::uint64_t kDefaultBudget = std::uint64_t{768} << 20;

constexpr WeightRole kBlockRoles[] = {WeightRole::AttnQ,  WeightRole::AttnK, WeightRole::AttnV, WeightRole::AttnOutput,
                                      WeightRole::FfnGate, WeightRole::FfnUp, WeightRole::FfnDown};

LinearSite siteOf(WeightRole r)
{
    switch (r) {
    case WeightRole::AttnQ:
    case WeightRole::AttnK:
    case WeightRole::AttnV: return LinearSite::AttnQKV;
    case WeightRole::AttnOutput: return LinearSite::AttnOut;
    case WeightRole::FfnGate:
    case WeightRole::FfnUp: return LinearSite::FfnGateUp;
    case WeightRole::FfnDown: return LinearSite::FfnDown;
    default: return LinearSite::Output;
    }
}

const WeightView& modelWeight(const Model& m, std::int64_t layer, WeightRole role)
{
    return layer < 0 ? m.output() : m.layers()[static_cast<std::size_t>(layer)].matrix(role);
}

// Moves rows: toEngine ? engine[dst] = hf[src(dst)] : hf[src(dst)] = engine[dst].
void permuteRows(std::vector<float>& w, std::int64_t rows, std::int64_t cols, std::int64_t heads, bool toEngine)
{
    if (heads <= 0) return;
    std::vector<float> out(w.size());
    const auto c = static_cast<std::size_t>(cols);
    for (std::int64_t dst = 0; dst < rows; ++dst) {
        const auto src = static_cast<std::int64_t>(arch::qkPermutedSourceRow(static_cast<std::uint64_t>(dst),
                                                                             static_cast<std::uint64_t>(rows),
                                                                             static_cast<std::uint64_t>(heads)));
        const std::size_t from = static_cast<std::size_t>(toEngine ? src : dst) * c;
        const std::size_t to = static_cast<std::size_t>(toEngine ? dst : src) * c;
        std::copy_n(w.data() + from, c, out.data() + to);
    }
    w.swap(out);
}

// The accumulator, timed.
class TimedObserver : public ActivationObserver {
public:
    TimedObserver(ActivationObserver& inner, std::int64_t skipPositions) : m_inner(inner), m_skip(skipPositions) {}
    // Sites passed on (bit per LinearSite); the others are not accumulated.
    void setSites(unsigned mask) { m_sites = mask; }
    void observe(const LinearInput& in) override
    {
        if (!(m_sites & (1u << static_cast<unsigned>(in.site)))) return;
        const auto t = Clock::now();
        if (in.firstPosition >= m_skip) {
            m_inner.observe(in);
        } else if (in.firstPosition + in.nTokens > m_skip) {
            LinearInput rest = in;
            const std::int64_t drop = m_skip - in.firstPosition;
            rest.firstPosition += drop;
            rest.nTokens -= drop;
            rest.rows = in.row(drop);
            m_inner.observe(rest);
        }
        m_seconds += secondsSince(t);
    }
    double seconds() const { return m_seconds; }

private:
    ActivationObserver& m_inner;
    std::int64_t m_skip = 0;
    double m_seconds = 0;
    unsigned m_sites = ~0u;
};

unsigned siteBit(LinearSite s) { return 1u << static_cast<unsigned>(s); }

// True-sequential stages: the linears of each, in block order; each reads the outputs of the
// ones before it.
const std::vector<std::vector<WeightRole>>& trueSequentialStages()
{
    static const std::vector<std::vector<WeightRole>> stages{{WeightRole::AttnQ, WeightRole::AttnK, WeightRole::AttnV},
                                                             {WeightRole::AttnOutput},
                                                             {WeightRole::FfnGate, WeightRole::FfnUp},
                                                             {WeightRole::FfnDown}};
    return stages;
}

std::uint64_t linearMemory(std::int64_t rows, std::int64_t cols)
{
    const auto n = static_cast<std::uint64_t>(cols);
    return 2 * n * n * sizeof(double) + static_cast<std::uint64_t>(rows) * n * 16;
}

double linearCost(std::int64_t rows, std::int64_t cols)
{
    const auto n = static_cast<double>(cols);
    return (n * n * n / 1.5 + static_cast<double>(rows) * n * n) / kQuantizeRate;
}

// The job-wide progress: costs (in estimated seconds) of every unit of work, reported in order.
class RunProgress {
public:
    RunProgress(jobs::ProgressSink& sink, std::uint64_t tokensTotal, std::uint64_t linearsTotal, double totalCost)
        : m_sink(sink), m_tokensTotal(tokensTotal), m_linearsTotal(linearsTotal), m_totalCost(totalCost),
          m_start(Clock::now())
    {
    }
    void blockRun(std::uint64_t tokens, double cost, const std::string& item)
    {
        std::lock_guard lock(m_mutex);
        m_tokens += tokens;
        m_done += cost;
        send(jobs::Stage::Calibrating, m_tokens, m_tokensTotal, item);
    }
    void linear(double cost, const std::string& item)
    {
        std::lock_guard lock(m_mutex);
        ++m_linears;
        m_done += cost;
        send(jobs::Stage::Quantizing, m_linears, m_linearsTotal, item);
    }
    void finish()
    {
        std::lock_guard lock(m_mutex);
        m_done = m_totalCost;
        send(jobs::Stage::Quantizing, m_linearsTotal, m_linearsTotal, {});
    }

private:
    void send(jobs::Stage stage, std::uint64_t done, std::uint64_t total, const std::string& item)
    {
        const double f = std::clamp(m_totalCost > 0 ? m_done / m_totalCost : 1.0, m_fraction, 1.0);
        m_fraction = f;
        m_sink.overall(f, jobs::estimateRemainingSeconds(secondsSince(m_start), f));
        m_sink.report(stage, done, total, item);
    }

    jobs::ProgressSink& m_sink;
    std::mutex m_mutex;
    std::uint64_t m_tokensTotal, m_linearsTotal;
    double m_totalCost;
    Clock::time_point m_start;
    std::uint64_t m_tokens = 0, m_linears = 0;
    double m_done = 0, m_fraction = 0;
};

// Turns captureBlockByBlock's reports (one per chunk run) into RunProgress updates and phase
// timings: observed runs, then afterBlock, then as many re-runs as there are chunks.
class CaptureSink : public jobs::ProgressSink {
public:
    CaptureSink(RunProgress& progress, std::span<const std::vector<std::int32_t>> chunks, std::vector<double> observedCost,
                std::vector<double> rerunCost)
        : m_progress(progress), m_chunks(chunks), m_observedCost(std::move(observedCost)), m_rerunCost(std::move(rerunCost)),
          m_phaseStart(Clock::now())
    {
    }
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item) override
    {
        if ((stage != jobs::Stage::Evaluating && stage != jobs::Stage::Calibrating) || done == 0 || done == m_lastDone) return;
        m_lastDone = done;
        (void)total;
        const std::size_t c = m_runs % m_chunks.size();
        ++m_runs;
        const auto tokens = static_cast<std::uint64_t>(m_chunks[c].size());
        const double perToken = m_rerun ? m_rerunCost[m_layer] : m_observedCost[m_layer];
        m_progress.blockRun(tokens, perToken * static_cast<double>(tokens), std::string(item));
        if (m_rerun && c + 1 == m_chunks.size()) {
            rerunSeconds += secondsSince(m_phaseStart);
            m_phaseStart = Clock::now();
            m_rerun = false;
            if (onRerunDone) onRerunDone(m_layer);
            m_layer = std::min(m_layer + 1, m_observedCost.size() - 1);
        }
    }
    // Around afterBlock(l).
    void quantizeBegins()
    {
        observedSeconds += secondsSince(m_phaseStart);
        m_phaseStart = Clock::now();
    }
    void quantizeEnds(bool rerunFollows)
    {
        quantizeSeconds += secondsSince(m_phaseStart);
        m_phaseStart = Clock::now();
        m_rerun = rerunFollows;
    }
    void end()
    {
        if (m_rerun) rerunSeconds += secondsSince(m_phaseStart);
        else observedSeconds += secondsSince(m_phaseStart);
    }

    double observedSeconds = 0, quantizeSeconds = 0, rerunSeconds = 0;
    std::function<void(std::size_t layer)> onRerunDone;

private:
    RunProgress& m_progress;
    std::span<const std::vector<std::int32_t>> m_chunks;
    std::vector<double> m_observedCost, m_rerunCost; // per token, per layer (last: the head)
    Clock::time_point m_phaseStart;
    std::uint64_t m_lastDone = 0;
    std::size_t m_runs = 0;
    std::size_t m_layer = 0;
    bool m_rerun = false;
};

struct Pending {
    std::int64_t layer;
    WeightRole role;
    std::shared_ptr<const OwnedWeight> weight;
};

} // namespace

std::int64_t engineRowPermuteHeads(const Model& model, WeightRole role)
{
    if (model.rope().layout() != RopeLayout::Norm) return 0;
    if (role == WeightRole::AttnQ) return model.dims().heads;
    if (role == WeightRole::AttnK) return model.dims().kvHeads;
    return 0;
}

std::string hfLinearName(const Model& model, std::int64_t layer, WeightRole role)
{
    const std::string gguf = tensorName(layer, role);
    const io::Checkpoint& ck = model.checkpoint();
    if (ck.format() != io::CheckpointFormat::Gguf) {
        for (const io::TensorEntry& t : ck.tensors())
            if (auto g = arch::ggufTensorName(t.name); g && *g == gguf) return t.name;
    }
    if (role == WeightRole::Output) return "lm_head.weight";
    if (role == WeightRole::TokenEmbd) return "model.embed_tokens.weight";
    const char* module = "";
    switch (role) {
    case WeightRole::AttnQ: module = "self_attn.q_proj"; break;
    case WeightRole::AttnK: module = "self_attn.k_proj"; break;
    case WeightRole::AttnV: module = "self_attn.v_proj"; break;
    case WeightRole::AttnOutput: module = "self_attn.o_proj"; break;
    case WeightRole::FfnGate: module = "mlp.gate_proj"; break;
    case WeightRole::FfnUp: module = "mlp.up_proj"; break;
    default: module = "mlp.down_proj"; break;
    }
    return "model.layers." + std::to_string(layer) + "." + module + ".weight";
}

Result<BlockQuantizeStats> quantizeBlockByBlock(Session& session, std::span<const std::vector<std::int32_t>> chunks,
                                                const LinearQuantizer& quantizer, const BlockQuantizeOptions& options,
                                                jobs::ProgressSink& sink, std::stop_token stop)
{
    const auto runStart = Clock::now();
    const Model& model = session.model();
    const ModelDims& d = model.dims();
    const auto modelLayers = static_cast<std::int64_t>(model.layers().size());
    if (chunks.empty()) return makeError(ErrorCode::InvalidArgument, {}, "no calibration chunks");
    if (!quantizer) return makeError(ErrorCode::InvalidArgument, {}, "no quantizer");
    const std::int64_t layers =
        options.lastLayer >= 0 ? std::min(options.lastLayer + 1, modelLayers) : modelLayers;
    const bool withOutput = options.includeOutput && layers == modelLayers && !model.tiedEmbeddings();

    BlockQuantizeStats stats;
    stats.layers = layers;
    stats.chunks = static_cast<std::int64_t>(chunks.size());
    for (const auto& c : chunks) stats.tokens += static_cast<std::int64_t>(c.size());

    // Cost model (estimated seconds of one thread): per token and block, the matmuls and the
    // Hessians; per block, the quantizer calls.
    const int threads = std::max(1, options.threads > 0 ? options.threads : session.threads());
    double blockMacs = 0;
    for (WeightRole r : kBlockRoles) {
        const WeightView& w = model.layers()[0].matrix(r);
        blockMacs += static_cast<double>(w.rows) * static_cast<double>(w.cols);
    }
    auto tri = [](std::int64_t n) { return static_cast<double>(n) * static_cast<double>(n + 1) / 2; };
    const double hessianMacs = 2 * tri(d.hidden) + tri(d.heads * d.headDim) + tri(d.ff);
    const double forwardPerToken = blockMacs / kForwardRate / threads;
    const int stages = options.trueSequential ? static_cast<int>(trueSequentialStages().size()) : 1;
    // Per observed run (each stage accumulates its own sites only).
    const double observedPerToken = forwardPerToken + hessianMacs / kHessianRate / threads / stages;
    double blockQuantize = 0, blockQuantizeMax = 0;
    for (WeightRole r : kBlockRoles) {
        const WeightView& w = model.layers()[0].matrix(r);
        const double c = linearCost(w.rows, w.cols);
        blockQuantize += c;
        blockQuantizeMax = std::max(blockQuantizeMax, c);
    }
    const double blockQuantizeWall = std::max(blockQuantizeMax, blockQuantize / threads);
    const double outputMacs = static_cast<double>(model.output().rows) * static_cast<double>(model.output().cols);
    const double headPerToken = (outputMacs / kForwardRate + tri(d.hidden) / kHessianRate) / threads;
    const double outputQuantize = linearCost(model.output().rows, model.output().cols);
    const auto tokens = static_cast<double>(stats.tokens);
    const double totalCost = static_cast<double>(layers) * (tokens * (stages * observedPerToken + forwardPerToken) + blockQuantizeWall) +
                             (withOutput ? tokens * headPerToken + outputQuantize : 0.0);
    const std::uint64_t linearsTotal = static_cast<std::uint64_t>(layers) * kBlockWeightRoles + (withOutput ? 1 : 0);
    const std::uint64_t tokensTotal =
        static_cast<std::uint64_t>(stats.tokens) * static_cast<std::uint64_t>((stages + 1) * layers + (withOutput ? 1 : 0));
    RunProgress progress(sink, tokensTotal, linearsTotal, totalCost);
    std::vector<double> observedCost(static_cast<std::size_t>(modelLayers) + 1, observedPerToken);
    std::vector<double> rerunCost(static_cast<std::size_t>(modelLayers) + 1, forwardPerToken);
    observedCost.back() = headPerToken;
    CaptureSink captureSink(progress, chunks, observedCost, rerunCost);

    // Our own stop: the caller's, or a quantizer's error, or lastLayer reached.
    std::stop_source ownStop;
    std::stop_callback bridge(stop, [&ownStop] { ownStop.request_stop(); });
    bool stoppedAtLastLayer = false;

    if (options.pairedInputs && options.trueSequential)
        return makeError(ErrorCode::InvalidArgument, {}, "paired original inputs work in block mode only, not true-sequential");
    PairedInputAccumulator hessians;
    TimedObserver timed(hessians, options.skipPositions);
    jobs::ThreadArena arena(jobs::ThreadingConfig{threads});
    const std::uint64_t budget = options.memoryBudget > 0 ? options.memoryBudget : kDefaultBudget;

    std::vector<Pending> installed; // overrides of the block being re-run
    auto dropOverrides = [&] {
        for (const Pending& p : installed) (void)session.overrideWeight(p.layer, p.role, nullptr);
        installed.clear();
    };
    struct DropGuard {
        std::function<void()> f;
        ~DropGuard() { f(); }
    } guard{dropOverrides};

    // One block's (or the head's) quantizer calls.
    auto quantizeLayer = [&](std::int64_t layer, const std::vector<WeightRole>& roles) -> Status {
        const bool head = layer < 0;

        // The block's Hessians, shared by the linears that read the same site.
        std::map<int, std::shared_ptr<std::vector<double>>> siteHessians;
        std::map<int, std::int64_t> siteTokens;
        std::map<int, std::shared_ptr<std::vector<double>>> siteCross;
        std::uint64_t held = hessians.heldBytes();
        stats.peakHessianBytes = std::max(stats.peakHessianBytes, static_cast<std::uint64_t>(held));
        for (WeightRole r : roles) {
            const LinearSite s = siteOf(r);
            const int key = static_cast<int>(s);
            if (siteHessians.count(key)) continue;
            siteTokens[key] = hessians.tokens(layer, s);
            siteHessians[key] = std::make_shared<std::vector<double>>(hessians.take(layer, s));
            siteCross[key] = std::make_shared<std::vector<double>>(hessians.takeCross(layer, s));
        }
        hessians.clear();

        struct Job {
            WeightRole role;
            LinearSite site;
            std::int64_t rows, cols;
            std::uint64_t memory;
            double cost;
            std::shared_ptr<std::vector<double>> hessian;
            std::shared_ptr<std::vector<double>> cross;
        };
        std::vector<Job> jobs;
        for (WeightRole r : roles) {
            const WeightView& w = modelWeight(model, layer, r);
            const LinearSite s = siteOf(r);
            jobs.push_back({r, s, w.rows, w.cols, linearMemory(w.rows, w.cols), linearCost(w.rows, w.cols),
                            siteHessians[static_cast<int>(s)], siteCross[static_cast<int>(s)]});
        }
        siteHessians.clear();
        siteCross.clear();
        // Largest first: the longest call starts first, and the big temporaries come before
        // the block's overrides pile up.
        std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.cost > b.cost; });

        std::mutex mutex;
        std::condition_variable cv;
        std::vector<bool> taken(jobs.size(), false);
        std::uint64_t inFlight = 0;
        std::size_t running = 0;
        std::optional<Error> failure;
        std::vector<Pending> pending;
        const std::string item = head ? "output" : "blk." + std::to_string(layer);
        const std::stop_token token = ownStop.get_token();

        auto runJob = [&](Job& job) -> Status {
            const std::string gguf = tensorName(layer, job.role);
            if (job.hessian->size() != static_cast<std::size_t>(job.cols * job.cols)) {
                Error e = makeError(ErrorCode::InvalidArgument, {}, "no calibration inputs reached this linear");
                e.tensor = gguf;
                return e;
            }
            auto w = toFloats(modelWeight(model, layer, job.role));
            if (!w) return std::move(w).error();
            const std::int64_t heads = head ? 0 : engineRowPermuteHeads(model, job.role);
            permuteRows(*w, job.rows, job.cols, heads, false);
            LinearJob lj;
            lj.layer = layer;
            lj.role = job.role;
            lj.site = job.site;
            lj.hfName = hfLinearName(model, layer, job.role);
            lj.ggufName = gguf;
            lj.rows = job.rows;
            lj.cols = job.cols;
            lj.weight = *w;
            lj.hessian = *job.hessian;
            if (job.cross->size() == job.hessian->size()) {
                lj.cross = *job.cross;
                if (job.cross.use_count() == 1) lj.crossOwned = job.cross.get();
            }
            // References only go away: alone now means no other linear will read it.
            if (job.hessian.use_count() == 1) lj.hessianOwned = job.hessian.get();
            {
                std::lock_guard lock(mutex);
                lj.tokens = siteTokens[static_cast<int>(job.site)];
            }
            const auto t = Clock::now();
            auto q = quantizer(lj, token);
            const double seconds = secondsSince(t);
            *w = {};
            job.hessian.reset(); // the last linear of a site frees its Hessian
            job.cross.reset();
            if (!q) {
                Error e = std::move(q).error();
                if (e.tensor.empty() && e.code != ErrorCode::Cancelled) e.tensor = gguf;
                return e;
            }
            std::vector<float> deq = std::move(*q);
            LinearRecord rec{layer, job.role, gguf, job.rows, job.cols, seconds, !deq.empty()};
            if (!deq.empty()) {
                if (deq.size() != static_cast<std::size_t>(job.rows * job.cols)) {
                    Error e = makeError(ErrorCode::InvalidArgument, {},
                                        "the quantizer returned " + std::to_string(deq.size()) + " values for a " +
                                            std::to_string(job.rows) + " x " + std::to_string(job.cols) + " weight");
                    e.tensor = gguf;
                    return e;
                }
                if (!head) {
                    permuteRows(deq, job.rows, job.cols, heads, true);
                    auto owned = OwnedWeight::fromFloats(DType::F32, job.rows, job.cols, deq);
                    if (!owned) return std::move(owned).error();
                    std::lock_guard lock(mutex);
                    pending.push_back({layer, job.role, std::move(*owned)});
                }
            }
            {
                std::lock_guard lock(mutex);
                stats.roleSeconds[static_cast<std::size_t>(job.role)] += seconds;
                stats.linears.push_back(std::move(rec));
            }
            progress.linear(job.cost, item);
            return okStatus();
        };

        // Workers take the next job that fits the memory budget (any job when none runs).
        auto worker = [&] {
            for (;;) {
                std::size_t pick = jobs.size();
                {
                    std::unique_lock lock(mutex);
                    for (;;) {
                        if (failure || token.stop_requested()) return;
                        bool left = false;
                        for (std::size_t i = 0; i < jobs.size(); ++i) {
                            if (taken[i]) continue;
                            left = true;
                            if (running == 0 || inFlight + jobs[i].memory <= budget) {
                                pick = i;
                                break;
                            }
                        }
                        if (!left) return;
                        if (pick < jobs.size()) break;
                        cv.wait(lock);
                    }
                    taken[pick] = true;
                    inFlight += jobs[pick].memory;
                    ++running;
                }
                Status st = runJob(jobs[pick]);
                {
                    std::lock_guard lock(mutex);
                    inFlight -= jobs[pick].memory;
                    --running;
                    if (!st.ok() && !failure) {
                        failure = std::move(st).error();
                        ownStop.request_stop();
                    }
                }
                cv.notify_all();
            }
        };
        const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(threads), jobs.size());
        arena.execute([&] { jobs::parallelFor(workers, {}, [&](std::size_t) { worker(); }); });
        jobs.clear();

        if (failure) return std::move(*failure);
        if (stop.stop_requested() || (ownStop.stop_requested() && !stoppedAtLastLayer))
            return makeError(ErrorCode::Cancelled, {}, "quantization stopped");
        if (head) return okStatus();
        for (Pending& p : pending) {
            CONDENSE_TRY(session.overrideWeight(p.layer, p.role, p.weight));
            installed.push_back(std::move(p));
        }
        return okStatus();
    };

    CaptureOptions co;
    co.mode = CaptureMode::Sequential;
    if (options.pairedInputs) co.originalObserver = &hessians.originalSide();
    if (options.tokenEmbedding) {
        co.afterOriginalEmbed = [&](Session& s) { return s.overrideWeight(-1, WeightRole::TokenEmbd, options.tokenEmbedding); };
        if (!options.pairedInputs) CONDENSE_TRY(session.overrideWeight(-1, WeightRole::TokenEmbd, options.tokenEmbedding));
    }
    struct EmbeddingGuard {
        Session& s;
        bool on;
        ~EmbeddingGuard()
        {
            if (on) (void)s.overrideWeight(-1, WeightRole::TokenEmbd, nullptr);
        }
    } embeddingGuard{session, options.tokenEmbedding != nullptr};
    co.includeOutput = withOutput;
    const std::vector<WeightRole> allRoles(std::begin(kBlockRoles), std::end(kBlockRoles));
    const unsigned firstSites =
        options.trueSequential ? siteBit(LinearSite::AttnQKV) | siteBit(LinearSite::Output) : ~0u;
    co.stages = stages;
    // True-sequential: stage s's linears are quantized and installed, and the next observed run
    // (which accumulates the next stage's sites only) sees them.
    co.afterStage = [&](std::int64_t layer, int stage, Session&) -> Status {
        captureSink.quantizeBegins();
        if (stage == 0) dropOverrides(); // the previous block's re-run is over
        const auto& groups = trueSequentialStages();
        Status st = quantizeLayer(layer, groups[static_cast<std::size_t>(stage)]);
        timed.setSites(siteBit(siteOf(groups[static_cast<std::size_t>(stage) + 1].front())));
        captureSink.quantizeEnds(false);
        return st;
    };
    co.afterBlock = [&](std::int64_t layer, Session&) -> Status {
        captureSink.quantizeBegins();
        if (stages == 1 || layer < 0) dropOverrides(); // the previous block's re-run is over
        if (layer >= 0) hessians.setLayers(layer + 1 < modelLayers ? layer + 1 : -1, layer + 1 < modelLayers ? layer + 1 : -1);
        Status st = layer < 0 ? quantizeLayer(layer, {WeightRole::Output})
                              : quantizeLayer(layer, stages == 1 ? allRoles : trueSequentialStages().back());
        releaseFreeHeapMemory(); // the quantizers' temporaries, before the next block's Hessians
        timed.setSites(firstSites);
        captureSink.quantizeEnds(st.ok() && layer >= 0);
        return st;
    };
    // With lastLayer, the run ends once that block's re-run is over.
    if (layers < modelLayers)
        captureSink.onRerunDone = [&](std::size_t layer) {
            if (static_cast<std::int64_t>(layer) + 1 == layers) {
                stoppedAtLastLayer = true;
                ownStop.request_stop();
            }
        };
    hessians.setLayers(0, 0);
    timed.setSites(firstSites);

    Status st = captureBlockByBlock(session, chunks, timed, co, captureSink, ownStop.get_token());
    captureSink.end();
    dropOverrides();
    if (!st.ok() && !(stoppedAtLastLayer && st.error().code == ErrorCode::Cancelled && !stop.stop_requested()))
        return std::move(st).error();
    progress.finish();

    stats.hessianSeconds = timed.seconds();
    stats.forwardSeconds = std::max(0.0, captureSink.observedSeconds - stats.hessianSeconds);
    stats.quantizeSeconds = captureSink.quantizeSeconds;
    stats.rerunSeconds = captureSink.rerunSeconds;
    stats.totalSeconds = secondsSince(runStart);
    return stats;
}

} // namespace condense::model
