#include "core/pipeline/gguf_gptq_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>

#include "core/arch/tensor_naming.h"
#include "core/io/checkpoint.h"
#include "core/jobs/thread_arena.h"
#include "core/model/block_quantizer.h"
#include "core/model/embedding_metric.h"
#include "core/model/model.h"
#include "core/model/owned_weight.h"
#include "core/model/session.h"
#include "core/pipeline/calibration_set.h"
#include "core/quant/quant_registry.h"
#include "core/quant/row_source.h"
#include "core/tensor/dtype.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

namespace {

constexpr std::uint64_t kFractionScale = 1'000'000;

// The block run's reports as one Calibrating pass: done/total = its job-wide fraction.
class CalibrationStageSink final : public jobs::ProgressSink {
public:
    explicit CalibrationStageSink(jobs::ProgressSink& inner) : m_inner(inner) {}
    void overall(double fraction, double) override
    {
        std::lock_guard lock(m_mutex);
        m_fraction = std::max(m_fraction, std::clamp(fraction, 0.0, 1.0));
    }
    void report(jobs::Stage, std::uint64_t, std::uint64_t, std::string_view item) override
    {
        double f = 0;
        {
            std::lock_guard lock(m_mutex);
            f = m_fraction;
        }
        m_inner.report(jobs::Stage::Calibrating, static_cast<std::uint64_t>(std::llround(f * kFractionScale)), kFractionScale, item);
    }

private:
    jobs::ProgressSink& m_inner;
    std::mutex m_mutex;
    double m_fraction = 0;
};

std::string fractionText(double v)
{
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

// Rows of the GGUF file the job writes, from HF order: the llama Q/K permutation where the
// output has it (0 heads: none).
std::vector<std::uint8_t> toFileRowOrder(std::vector<std::uint8_t> bytes, std::int64_t rows, std::uint64_t heads)
{
    if (heads == 0) return bytes;
    const std::size_t rowBytes = bytes.size() / static_cast<std::size_t>(rows);
    std::vector<std::uint8_t> out(bytes.size());
    for (std::int64_t d = 0; d < rows; ++d) {
        const std::uint64_t s = arch::qkPermutedSourceRow(static_cast<std::uint64_t>(d), static_cast<std::uint64_t>(rows), heads);
        std::memcpy(out.data() + static_cast<std::size_t>(d) * rowBytes, bytes.data() + s * rowBytes, rowBytes);
    }
    return out;
}

} // namespace

Result<GgufGptqRun> runGgufGptq(std::shared_ptr<const io::Checkpoint> ck, const plan::QuantPlan& plan,
                                const GgufGptqRunConfig& config, jobs::ProgressSink& progress, std::stop_token stop)
{
    const auto start = std::chrono::steady_clock::now();
    const std::string modelFile = ck->path().string();
    auto loaded = model::loadModel(ck, {});
    if (!loaded) {
        Error e = std::move(loaded).error();
        if (e.file.empty()) e.file = modelFile;
        e.detail = "GPTQ runs the model on calibration text, and the engine cannot load it: " + e.detail;
        return e;
    }
    const std::shared_ptr<const model::Model> m = *loaded;
    auto tok = tokenizer::loadTokenizer(*ck);
    if (!tok) return std::move(tok).error();

    std::int64_t ctx = config.ctx > 0 ? config.ctx : kGgufGptqDefaultCtx;
    const std::uint64_t maxPositions = m->spec().maxPositions;
    if (maxPositions > 0 && static_cast<std::uint64_t>(ctx) > maxPositions) {
        if (config.ctx > 0)
            return makeError(ErrorCode::InvalidArgument, modelFile,
                             "calibration context " + std::to_string(ctx) + " exceeds the model's " + std::to_string(maxPositions) + " positions");
        ctx = static_cast<std::int64_t>(maxPositions);
    }
    if (config.tokens < 0) return makeError(ErrorCode::InvalidArgument, {}, "negative calibration token budget");
    const std::int64_t budget = config.tokens > 0 ? config.tokens : kGgufGptqDefaultChunks * ctx;

    auto src = loadCalibrationSource(config.calibration, chatStyleFromTemplate(modelChatTemplate(*ck)));
    if (!src) return std::move(src).error();
    auto chunks = calibrationChunks(**tok, src->calibration, src->parseSpecial, ctx, budget, src->label);
    if (!chunks) return std::move(chunks).error();

    GgufGptqRun run;
    run.calibrationLabel = src->label;
    run.ctx = ctx;
    run.chunks = static_cast<std::int64_t>(chunks->size());
    run.tokens = run.chunks * ctx;

    // Output row order per linear: a GGUF input is written in its own (= the engine's) order;
    // a Hugging Face input as the converter permutes it.
    const bool ggufInput = ck->format() == io::CheckpointFormat::Gguf;
    const auto fileHeads = [&](const model::LinearJob& job) -> std::uint64_t {
        if (job.layer < 0 || (job.role != model::WeightRole::AttnQ && job.role != model::WeightRole::AttnK)) return 0;
        if (ggufInput) return static_cast<std::uint64_t>(model::engineRowPermuteHeads(*m, job.role));
        const auto& ts = ck->tensors();
        for (std::size_t i = 0; i < ts.size(); ++i)
            if (ts[i].name == job.hfName) return quant::llamaCppPermuteHeads(*ck, i);
        return 0;
    };

    // The quantized linears wait in a spill file until the writer runs (io/spill_file.h), not in
    // memory: 0.6 GB at 1.1B parameters in Q4_K_M.
    auto spill = io::SpillFile::create(config.spillFolder.empty() ? std::filesystem::temp_directory_path() : config.spillFolder);
    if (!spill) return std::move(spill).error();
    const std::shared_ptr<io::SpillFile> tensors = *spill;
    std::mutex mutex;
    std::int64_t gptqCount = 0, fallbackCount = 0;
    const quant::GgufGptqOptions& opts = config.options;

    const model::LinearQuantizer hook = [&](const model::LinearJob& job, std::stop_token st) -> Result<std::vector<float>> {
        const std::int64_t k = plan.find(job.ggufName);
        if (k < 0) return std::vector<float>{};
        const plan::TensorPlan& tp = plan.tensors[static_cast<std::size_t>(k)];
        const DTypeTraits* tr = dtypeTraits(tp.type);
        if (tp.type == tp.inputType || !tr || !tr->isQuantized) return std::vector<float>{}; // the job's to write
        const auto fail = [&](Error e) {
            e.tensor = job.ggufName;
            if (e.file.empty() && e.code != ErrorCode::Cancelled) e.file = modelFile;
            return e;
        };
        std::vector<std::uint8_t> bytes;
        std::vector<float> deq;
        std::optional<Message> warning;
        bool viaGptq = false;
        if (quant::ggufGptqSupports(tp.type)) {
            quant::GgufGptqOptions o = opts;
            if (!job.cross.empty()) o.asymmetry = opts.asymmetry * quant::ggufGptqAsymmetry(job.tokens, job.cols, config.asymmetryShrink);
            auto r = job.crossOwned ? quant::ggufGptqQuantize(tp.type, job.weight, job.rows, job.cols, job.hessian, std::move(*job.crossOwned), o, st)
                                    : quant::ggufGptqQuantize(tp.type, job.weight, job.rows, job.cols, job.hessian, job.cross, o, st);
            if (r) {
                if (r->percDampUsed > opts.percDamp)
                    warning = Message(MessageCode::GptqDampingRaised, job.ggufName,
                                      {{"from", fractionText(opts.percDamp)}, {"to", fractionText(r->percDampUsed)}});
                bytes = std::move(r->bytes);
                deq = std::move(r->dequantized);
                viaGptq = true;
            } else if (r.error().code == ErrorCode::Cancelled) {
                return fail(std::move(r).error());
            } else {
                double last = opts.percDamp;
                if (opts.dampIncrement > 0)
                    while (last + opts.dampIncrement < 1) last += opts.dampIncrement;
                warning = Message(MessageCode::GptqRtnFallback, job.ggufName, {{"damping", fractionText(last)}});
            }
        } else {
            warning = Message(MessageCode::GptqTypeFallback, job.ggufName, {{"type", std::string(dtypeName(tp.type))}});
        }
        if (!viaGptq) {
            // Rounding with the imatrix of the same inputs: diag(H) / tokens.
            const auto cols = static_cast<std::size_t>(job.cols);
            std::vector<float> importance(cols);
            const double n = static_cast<double>(std::max<std::int64_t>(1, job.tokens));
            for (std::size_t c = 0; c < cols; ++c) importance[c] = static_cast<float>(job.hessian[c * cols + c] / n);
            const std::uint64_t rowBytes = job.cols / tr->blockSize * tr->blockBytes;
            bytes.resize(static_cast<std::size_t>(rowBytes * static_cast<std::uint64_t>(job.rows)));
            deq.resize(job.weight.size());
            if (!quant::quantizeRows(tp.type, job.weight.data(), bytes.data(), job.rows, job.cols, importance.data(), st) ||
                !quant::dequantizeRows(tp.type, bytes.data(), deq.data(), job.rows, job.cols, st)) {
                if (st.stop_requested()) return fail(makeError(ErrorCode::Cancelled, {}, "cancelled"));
                return fail(makeError(ErrorCode::UnsupportedType, modelFile, "cannot quantize to " + std::string(dtypeName(tp.type))));
            }
        }
        if (bytes.size() != tp.bytes())
            return fail(makeError(ErrorCode::Malformed, modelFile,
                                  "quantized data of " + std::to_string(bytes.size()) + " bytes, the plan has " + std::to_string(tp.bytes())));
        bytes = toFileRowOrder(std::move(bytes), job.rows, fileHeads(job));
        if (Status put = tensors->put(job.ggufName, std::as_bytes(std::span(bytes))); !put) return fail(std::move(put).error());
        bytes = {};
        std::lock_guard lock(mutex);
        if (warning) run.warnings.push_back(std::move(*warning));
        ++(viaGptq ? gptqCount : fallbackCount);
        return deq;
    };

    model::BlockQuantizeOptions bo;
    if (const std::int64_t o = plan.find("output.weight"); o >= 0) {
        const plan::TensorPlan& tp = plan.tensors[static_cast<std::size_t>(o)];
        const DTypeTraits* tr = dtypeTraits(tp.type);
        bo.includeOutput = tp.type != tp.inputType && tr && tr->isQuantized;
    }
    bo.threads = config.threads;
    bo.pairedInputs = config.pairedInputs;

    // token_embd by GPTQ on block 0's metric (untied: a tied matrix is the output head's).
    if (const std::int64_t e = plan.find("token_embd.weight"); config.embeddingGptq && e >= 0 && !m->tiedEmbeddings()) {
        const plan::TensorPlan& tp = plan.tensors[static_cast<std::size_t>(e)];
        const DTypeTraits* tr = dtypeTraits(tp.type);
        const model::WeightView& v = m->tokenEmbedding();
        if (tp.type != tp.inputType && tr && tr->isQuantized && quant::ggufGptqSupports(tp.type) &&
            v.cols % tr->blockSize == 0) {
            auto metric = model::embeddingErrorMetric(*m);
            auto w = model::toFloats(v);
            std::optional<Result<quant::GgufGptqResult>> r;
            if (metric && w) {
                jobs::ThreadArena embArena(jobs::ThreadingConfig{config.threads});
                embArena.execute([&] { r.emplace(quant::ggufGptqQuantize(tp.type, *w, v.rows, v.cols, *metric, opts, stop)); });
            }
            if (r && *r && (*r)->bytes.size() == tp.bytes()) {
                auto owned = model::OwnedWeight::fromBytes(tp.type, v.rows, v.cols, std::as_bytes(std::span((*r)->bytes)));
                if (owned) {
                    bo.tokenEmbedding = *owned;
                    CONDENSE_TRY(tensors->put("token_embd.weight", std::as_bytes(std::span((*r)->bytes))));
                    ++gptqCount;
                }
            } else if (r && !*r && r->error().code == ErrorCode::Cancelled) {
                return makeError(ErrorCode::Cancelled, {}, "cancelled");
            }
            // Otherwise the job writes token_embd as the mix does.
        }
    }

    std::optional<Result<model::BlockQuantizeStats>> stats;
    jobs::ThreadArena arena(jobs::ThreadingConfig{config.threads});
    arena.execute([&] {
        auto session = model::Session::create(m, {.nCtx = ctx, .maxBatch = 512, .threads = config.threads});
        if (!session) {
            stats.emplace(std::move(session).error());
            return;
        }
        CalibrationStageSink sink(progress);
        stats.emplace(model::quantizeBlockByBlock(**session, *chunks, hook, bo, sink, stop));
    });
    if (!*stats) {
        Error e = std::move(*stats).error();
        if (e.file.empty() && e.code != ErrorCode::Cancelled) e.file = modelFile;
        return e;
    }
    progress.report(jobs::Stage::Calibrating, kFractionScale, kFractionScale);
    std::sort(run.warnings.begin(), run.warnings.end(), [](const Message& a, const Message& b) { return a.tensor < b.tensor; });
    run.tensors = std::move(tensors);
    run.gptqTensors = gptqCount;
    run.fallbackTensors = fallbackCount;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.forwardSeconds = (*stats)->forwardSeconds;
    run.statisticsSeconds = (*stats)->hessianSeconds;
    run.quantizeSeconds = (*stats)->quantizeSeconds;
    run.rerunSeconds = (*stats)->rerunSeconds;
    return run;
}

} // namespace condense::pipeline
