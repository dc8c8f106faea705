#include "core/pipeline/calibrated_export.h"

#include <algorithm>
#include <mutex>

#include "core/io/checkpoint.h"
#include "core/model/awq_model.h"
#include "core/model/block_quantizer.h"
#include "core/model/gptq_linear_quantizer.h"
#include "core/model/model.h"
#include "core/model/session.h"
#include "core/pipeline/calibration_set.h"
#include "core/pipeline/quantize_request.h"
#include "core/tokenizer/tokenizer.h"

namespace condense::pipeline {

namespace {

// The results a provider hands out, by module prefix ("model.layers.3.self_attn.q_proj").
// Each is handed out once and then dropped, so memory falls as the export writes.
class ResultStore {
public:
    void put(std::string prefix, quant::GptqResult r)
    {
        std::lock_guard lock(m_mutex);
        m_results.emplace(std::move(prefix), std::move(r));
    }
    Result<quant::GptqResult> take(const std::string& prefix)
    {
        std::lock_guard lock(m_mutex);
        auto it = m_results.find(prefix);
        if (it == m_results.end()) {
            Error e = makeError(ErrorCode::MissingTensor, {}, "the calibration run made no result for this linear");
            e.tensor = prefix + ".weight";
            return e;
        }
        quant::GptqResult r = std::move(it->second);
        m_results.erase(it);
        return r;
    }

private:
    std::mutex m_mutex;
    std::map<std::string, quant::GptqResult> m_results;
};

std::string modulePrefix(std::string name)
{
    constexpr std::string_view kWeight = ".weight";
    if (name.size() > kWeight.size() && name.compare(name.size() - kWeight.size(), kWeight.size(), kWeight) == 0)
        name.resize(name.size() - kWeight.size());
    return name;
}

} // namespace

Result<CalibratedExport> runCalibratedExport(const QuantizeRequest& r, const std::string& method, double share,
                                             std::chrono::steady_clock::time_point jobStart, jobs::ProgressSink& sink,
                                             std::stop_token stop)
{
    if (method != "gptq" && method != "awq")
        return makeError(ErrorCode::InvalidArgument, {}, "method '" + method + "' runs no calibration");
    if (r.calibrationTokens < 0) return makeError(ErrorCode::InvalidArgument, {}, "negative calibration token count");
    jobs::NestedProgress progress(sink, 0.0, share, jobStart);
    progress.report(jobs::Stage::Opening, 0, 1, r.input.string());
    jobs::NullSink quiet;
    auto ck = io::openCheckpoint(r.input, quiet, stop);
    if (!ck) return std::move(ck).error();
    auto loaded = model::loadModel(*ck);
    if (!loaded) return std::move(loaded).error();
    const std::shared_ptr<const model::Model> m = *loaded;
    auto tok = tokenizer::loadTokenizer(**ck);
    if (!tok) return std::move(tok).error();

    const std::string source = r.calibration.empty() ? std::string("general") : r.calibration;
    auto text = loadCalibrationSource(source, chatStyleFromTemplate(modelChatTemplate(**ck)));
    if (!text) return std::move(text).error();
    std::int64_t ctx = kDefaultCalibrationChunk;
    if (m->spec().maxPositions > 0) ctx = std::min<std::int64_t>(ctx, static_cast<std::int64_t>(m->spec().maxPositions));
    const std::int64_t budget = r.calibrationTokens > 0 ? r.calibrationTokens : kDefaultCalibrationTokens;
    auto chunks = calibrationChunks(**tok, text->calibration, text->parseSpecial, ctx, std::max(budget, ctx), text->label);
    if (!chunks) return std::move(chunks).error();
    progress.report(jobs::Stage::Opening, 1, 1);

    CalibratedExport out;
    out.calibrationLabel = text->label;
    out.chunks = static_cast<std::int64_t>(chunks->size());
    out.chunkTokens = ctx;
    auto store = std::make_shared<ResultStore>();
    const auto start = std::chrono::steady_clock::now();
    const bool symmetric = r.symmetric.value_or(r.format != "awq");

    if (method == "gptq") {
        quant::GptqOptions o;
        o.bits = r.bits;
        o.groupSize = r.group;
        o.symmetric = symmetric;
        o.actOrder = r.actOrder;
        o.dampIncrement = 0.01;
        auto session = model::Session::create(m, {.nCtx = ctx, .threads = r.threads});
        if (!session) return std::move(session).error();
        model::GptqLinearQuantizer gptq(o);
        gptq.setResultSink([store](const model::GptqLinearReport& report, model::PackedGptqLinear&& packed) {
            store->put(modulePrefix(report.hfName), packed.unpack(false));
            return okStatus();
        });
        model::BlockQuantizeOptions bo;
        bo.threads = r.threads;
        auto stats = model::quantizeBlockByBlock(**session, *chunks, gptq.quantizer(), bo, progress, stop);
        if (!stats) return std::move(stats).error();
        out.warnings = gptq.warnings();
    } else {
        model::AwqRunConfig c;
        c.awq.bits = r.bits;
        c.awq.groupSize = r.group;
        c.awq.zeroPoint = !symmetric;
        c.threads = r.threads;
        auto awq = model::runAwq(m, *chunks, c, progress, stop);
        if (!awq) return std::move(awq).error();
        for (model::AwqLinear& l : awq->linears) store->put(modulePrefix(l.hfName), std::move(l.quant));
        for (model::AwqVector& v : awq->vectors) out.replacements.emplace(v.hfName, std::move(v.values));
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.quantize = [store](const HfLinear& linear, std::span<const float>, std::stop_token) { return store->take(linear.prefix); };
    return out;
}

} // namespace condense::pipeline
