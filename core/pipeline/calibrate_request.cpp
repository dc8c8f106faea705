#include "core/pipeline/calibrate_request.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/io/gguf_writer.h"
#include "core/io/json_file.h"
#include "core/model/column_square_sums.h"
#include "core/model/model.h"
#include "core/model/session.h"
#include "core/pipeline/calibration_set.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

namespace {

// llama-imatrix skips matrix products of fewer rows (collect_imatrix's "ask" test).
constexpr std::int64_t kMinRows = 16;

// llama-imatrix leaves out matrix products of fewer than kMinRows rows. With one sequence per
// batch (ctx > 1024: its 2048-token batch holds one chunk) its products are the chunk's pieces
// of 512 rows and the rest, exactly the Session's batches (maxBatch 512), so the short rest is
// left out here too. With several sequences per batch (ctx <= 1024) its pieces hold whole
// sequences and none is short (ctx >= kMinRows): every batch counts.
class ShortBatchFilter final : public model::ActivationObserver {
public:
    ShortBatchFilter(model::ActivationObserver& inner, bool active) : m_inner(inner), m_active(active) {}
    void observe(const model::LinearInput& in) override
    {
        if (!m_active || in.nTokens >= kMinRows) m_inner.observe(in);
    }

private:
    model::ActivationObserver& m_inner;
    bool m_active;
};

// llama-imatrix's default batch (-b 2048) and micro-batch (-ub 512).
constexpr std::int64_t kLlamaBatch = 2048;
constexpr std::int64_t kLlamaMicroBatch = 512;

struct Entry {
    std::string name;              // llama.cpp tensor name
    std::int64_t layer = 0;
    model::LinearSite site = model::LinearSite::AttnQKV;
};

} // namespace


Result<CalibrateOutcome> runCalibrate(const CalibrateRequest& r, jobs::ProgressSink& sink, std::stop_token stop)
{
    jobs::WeightedProgress progress(sink, {{jobs::Stage::Opening, 2}, {jobs::Stage::Calibrating, 95}, {jobs::Stage::Writing, 3}});
    if (r.output.empty()) return makeError(ErrorCode::InvalidArgument, {}, "no output file");
    if (r.ctx < kMinRows)
        return makeError(ErrorCode::InvalidArgument, {},
                         "context " + std::to_string(r.ctx) + " is below " + std::to_string(kMinRows) +
                             " tokens (llama-imatrix collects nothing from shorter batches)");
    if (r.tokenBudget < 0) return makeError(ErrorCode::InvalidArgument, {}, "negative token budget");

    progress.report(jobs::Stage::Opening, 0, 1, r.model.string());
    jobs::NullSink quiet;
    auto ck = io::openCheckpoint(r.model, quiet, stop);
    if (!ck) return std::move(ck).error();
    auto loaded = model::loadModel(*ck);
    if (!loaded) return std::move(loaded).error();
    const std::shared_ptr<const model::Model> m = *loaded;
    auto tok = tokenizer::loadTokenizer(**ck);
    if (!tok) return std::move(tok).error();
    const tokenizer::Tokenizer& t = **tok;
    const std::string modelFile = r.model.string();
    const std::uint64_t maxPositions = m->spec().maxPositions;
    if (maxPositions > 0 && static_cast<std::uint64_t>(r.ctx) > maxPositions)
        return makeError(ErrorCode::InvalidArgument, modelFile,
                         "context " + std::to_string(r.ctx) + " exceeds the model's " + std::to_string(maxPositions) +
                             " positions");
    progress.report(jobs::Stage::Opening, 1, 1);

    // The text: the given content, a bundled set's calibration part, or a file / folder (whole:
    // llama-imatrix -f reads all of it).
    std::string text;
    std::string textLabel = r.text.string();
    bool parseSpecial = false;
    if (r.textContent) {
        text = *r.textContent;
    } else {
        const std::string source = r.set.empty() ? r.text.string() : r.set;
        auto src = loadCalibrationSource(source, chatStyleFromTemplate(modelChatTemplate(**ck)), r.heldOutFraction);
        if (!src) return std::move(src).error();
        text = std::move(src->calibration);
        textLabel = src->label;
        parseSpecial = src->parseSpecial;
    }
    std::int64_t nTokens = 0;
    auto chunked = calibrationChunks(t, text, parseSpecial, r.ctx, r.tokenBudget, textLabel, &nTokens);
    if (!chunked) return std::move(chunked).error();
    const std::vector<std::vector<std::int32_t>>& chunkTokens = *chunked;
    const auto chunks = static_cast<std::int64_t>(chunkTokens.size());

    auto session = model::Session::create(m, {.nCtx = r.ctx, .maxBatch = kLlamaMicroBatch, .threads = r.threads});
    if (!session) return std::move(session).error();
    model::ColumnSquareSums sums;
    ShortBatchFilter filter(sums, r.ctx > kLlamaBatch / 2);
    (*session)->setObserver(&filter);

    model::EvalOptions prefill;
    prefill.logits = model::LogitsMode::None; // no logits: output.weight is not collected
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t c = 0; c < chunks; ++c) {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, {}, "calibration stopped");
        progress.report(jobs::Stage::Calibrating, static_cast<std::uint64_t>(c), static_cast<std::uint64_t>(chunks));
        (*session)->reset();
        CONDENSE_TRY((*session)->eval(chunkTokens[static_cast<std::size_t>(c)], {}, prefill, stop));
    }
    progress.report(jobs::Stage::Calibrating, static_cast<std::uint64_t>(chunks), static_cast<std::uint64_t>(chunks));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Every block weight that a site fed, in llama-imatrix's (sorted) name order.
    std::vector<Entry> entries;
    const auto layers = static_cast<std::int64_t>(m->layers().size());
    for (std::int64_t l = 0; l < layers; ++l) {
        for (model::LinearSite site : {model::LinearSite::AttnQKV, model::LinearSite::AttnOut, model::LinearSite::FfnGateUp,
                                       model::LinearSite::FfnDown}) {
            if (sums.sums(l, site).empty()) continue;
            for (model::WeightRole role : model::siteRoles(site)) entries.push_back({model::tensorName(l, role), l, site});
        }
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
    if (entries.empty()) return makeError(ErrorCode::InvalidArgument, modelFile, "the forward pass fed no linear layer");

    // As llama-imatrix: the chunks its largest row count makes (less than `chunks` when short
    // batches were left out).
    std::int64_t maxRows = 0;
    for (const Entry& e : entries) maxRows = std::max(maxRows, sums.tokens(e.layer, e.site));
    const std::int64_t chunkCount = maxRows / r.ctx;

    io::GgufWriter w;
    w.set("general.type", io::GgufValue::string("imatrix"));
    w.set("imatrix.datasets", io::GgufValue::stringArray({r.datasetLabel.empty() ? textLabel : r.datasetLabel}));
    w.set("imatrix.chunk_count", io::GgufValue::u32(static_cast<std::uint32_t>(chunkCount)));
    w.set("imatrix.chunk_size", io::GgufValue::u32(static_cast<std::uint32_t>(r.ctx)));
    std::vector<std::vector<float>> data; // per tensor, in addTensor order
    for (const Entry& e : entries) {
        const std::span<const double> s = sums.sums(e.layer, e.site);
        std::vector<float> values(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            values[i] = static_cast<float>(s[i]);
            if (!std::isfinite(values[i])) {
                Error err = makeError(ErrorCode::InvalidArgument, modelFile, "non-finite activation statistics");
                err.tensor = e.name;
                return err;
            }
        }
        // ne [cols, 1] and [1, 1]; gguf writes n_dims without trailing 1s (ggml_n_dims), so 1.
        CONDENSE_TRY(w.addTensor(e.name + ".in_sum2", DType::F32, {static_cast<std::uint64_t>(values.size())}));
        CONDENSE_TRY(w.addTensor(e.name + ".counts", DType::F32, {1}));
        data.push_back(std::move(values));
        data.push_back({static_cast<float>(sums.tokens(e.layer, e.site))});
    }

    io::GgufWriteOptions opts;
    opts.tensorStage = jobs::Stage::Writing;
    for (const auto& f : (*ck)->files()) opts.inputs.emplace_back(f);
    if (!r.textContent && r.set.empty()) opts.inputs.push_back(r.text);
    auto written = w.write(
        r.output,
        [&](std::size_t i, io::TensorOutput& out) {
            return out.write(std::as_bytes(std::span<const float>(data[i])));
        },
        opts, progress, stop);
    if (!written) {
        Error e = std::move(written).error();
        if (e.file.empty()) e.file = r.output.string();
        return e;
    }

    CalibrateOutcome out;
    out.output = written->path;
    out.fileBytes = written->bytes;
    out.textTokens = nTokens;
    out.chunks = chunks;
    out.chunkCount = chunkCount;
    out.chunkSize = r.ctx;
    out.entries = entries.size();
    out.seconds = seconds;
    return out;
}

} // namespace condense::pipeline
