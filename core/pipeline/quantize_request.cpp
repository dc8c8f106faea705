#include "core/pipeline/quantize_request.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

#include "core/io/atomic_file.h"
#include "core/io/checkpoint.h"
#include "core/io/json_file.h"
#include "core/pipeline/calibrate_request.h"
#include "core/pipeline/calibrated_export.h"
#include "core/pipeline/gguf_convert.h"
#include "core/pipeline/gguf_gptq_run.h"
#include "core/pipeline/plan_request.h"
#include "core/pipeline/quantize_job.h"
#include "core/quant/imatrix.h"

namespace condense::pipeline {

namespace {

// Plan files are small (a few hundred bytes per tensor): 256 MB is far beyond any model's.
constexpr std::uint64_t kMaxPlanBytes = 256ull << 20;

bool hasQuantizationOptions(const QuantizeRequest& r)
{
    return !r.imatrix.empty() || !r.overrides.empty() || r.outputTensorType || r.tokenEmbeddingType || r.pure ||
           r.leaveOutputTensor || !r.planFile.empty() || r.plan || r.dryRun;
}

Status savePlan(const std::filesystem::path& path, const plan::QuantPlan& p)
{
    return io::writeFileAtomically(path, plan::toJson(p) + "\n");
}

// --dry-run on a folder holding only config.json: the tensors come from the architecture
// (plan/spec_tensors.h) and get the mix's types; nothing else can be checked without weights.
Result<QuantizeOutcome> dryRunFromConfig(const QuantizeRequest& r, const QuantizeConfig& cfg, jobs::ProgressSink& progress,
                                         std::stop_token stop)
{
    if (cfg.plan)
        return makeError(ErrorCode::InvalidArgument, r.input.string(),
                         "a folder without weights can be planned with a mix, not checked against a plan file");
    auto model = readPlanModel(r.input, progress, stop);
    if (!model) return std::move(model).error();
    auto facts = plan::modelFacts(model->spec, model->label);
    if (!facts) return std::move(facts).error();
    plan::MixOptions o;
    o.mix = plan::findMix(cfg.mix);
    o.haveImatrix = cfg.imatrix && cfg.imatrix->size() > 0;
    o.overrides = cfg.overrides;
    o.outputTensorType = cfg.outputTensorType;
    o.tokenEmbeddingType = cfg.tokenEmbeddingType;
    o.pure = cfg.pure;
    o.leaveOutputTensor = cfg.leaveOutputTensor;
    auto p = plan::planMix(model->tensors, *facts, o);
    if (!p) {
        Error e = std::move(p).error();
        if (e.file.empty()) e.file = model->label;
        return e;
    }
    if (o.haveImatrix) {
        p->method = plan::PlanMethod::Imatrix;
        p->imatrix = cfg.imatrixLabel;
    }
    for (const auto& t : p->tensors) {
        if (t.type != t.inputType && !canWriteType(t.type)) {
            Error e = makeError(ErrorCode::UnsupportedType, model->label, "cannot write type " + std::string(dtypeName(t.type)) + " (no kernels for it)");
            e.tensor = t.name;
            return e;
        }
        if (!o.haveImatrix && plan::requiresImatrix(t.name, t.type, p->fileType)) {
            Error e = makeError(ErrorCode::InvalidArgument, model->label,
                                std::string(dtypeName(t.type)) + " in a " + p->mix + " file requires an importance matrix (--imatrix)");
            e.tensor = t.name;
            return e;
        }
    }
    if (!r.planOut.empty()) CONDENSE_TRY(savePlan(r.planOut, *p));
    QuantizeOutcome out;
    out.dryRun = true;
    out.tensors = p->tensors.size();
    out.plan = std::move(*p);
    return out;
}

} // namespace

bool isFloatType(std::string_view type)
{
    const auto t = dtypeFromName(std::string(type));
    return t && (*t == DType::F32 || *t == DType::F16 || *t == DType::BF16);
}

std::optional<DType> writableType(std::string_view name)
{
    const auto t = dtypeFromName(std::string(name));
    if (!t || !canWriteType(*t)) return std::nullopt;
    return t;
}

Result<plan::TensorTypeOverride> parseTensorTypeOverride(std::string_view text)
{
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size())
        return makeError(ErrorCode::InvalidArgument, {}, std::string(text) + ": expected REGEX=TYPE");
    const std::string_view type = text.substr(eq + 1);
    const auto t = writableType(type);
    if (!t) return makeError(ErrorCode::InvalidArgument, {}, std::string(text) + ": cannot write type '" + std::string(type) + "'");
    return plan::TensorTypeOverride{std::string(text.substr(0, eq)), *t};
}

std::string effectiveMethod(const QuantizeRequest& r)
{
    if (!r.method.empty()) return r.method;
    if (r.format == "gptq") return "gptq";
    if (r.format == "awq") return "awq";
    if (r.format == "gguf" && !r.imatrix.empty()) return "imatrix";
    return "rtn";
}

Result<HfExportRequest> hfExportRequest(const QuantizeRequest& r)
{
    auto bad = [](std::string detail) { return makeError(ErrorCode::InvalidArgument, {}, std::move(detail)); };
    HfExportRequest e;
    e.input = r.input;
    e.output = r.output;
    e.method = effectiveMethod(r);
    const bool sym = r.symmetric.value_or(r.format != "awq");
    if (r.format == "gptq") e.pack.format = sym ? quant::HfQuantFormat::GptqV1 : quant::HfQuantFormat::GptqV2;
    else if (r.format == "awq") e.pack.format = quant::HfQuantFormat::AwqGemm;
    else if (r.format == "compressed-tensors") e.pack.format = quant::HfQuantFormat::CompressedTensors;
    else return bad("format '" + r.format + "' (gguf, gptq, awq or compressed-tensors)");
    e.pack.bits = r.bits;
    e.pack.groupSize = r.group;
    e.pack.symmetric = sym;
    e.pack.actOrder = r.actOrder;
    if (e.method != "rtn" && e.method != "gptq" && e.method != "awq")
        return bad("method '" + e.method + "' does not make a " + r.format + " checkpoint (rtn, gptq or awq)");
    if (r.group == 0 || r.group < -1) return bad("group size " + std::to_string(r.group) + " (-1 or a positive size)");
    if (r.format == "awq" && sym) return bad("AWQ GEMM is written with zero points (AWQ's asymmetric grid): drop --sym");
    if (r.actOrder && e.method == "rtn") return bad("act-order orders GPTQ's column sweep: it needs --method gptq");
    if (e.method == "rtn" && (!r.calibration.empty() || r.calibrationTokens > 0))
        return bad("round to nearest uses no calibration text: --calibration goes with --method gptq or awq");
    // A dry check of the format's constraints on a typical shape (the export checks every linear).
    if (auto s = quant::checkPackConfig(e.pack, 256, r.group > 0 ? r.group : 256); !s) return std::move(s).error();
    if (e.method == "awq" && r.format != "awq" && sym)
        return bad("AWQ quantizes with zero points (AutoAWQ's grid): add --asym, or use --format awq");
    if (e.method != "rtn") {
        // Set by a caller that ran its own calibration; else runQuantize runs it (calibrated_export.h).
        e.quantize = r.hfQuantizer;
        e.replacements = r.hfReplacements;
    }
    return e;
}

Result<QuantizeOutcome> runQuantize(const QuantizeRequest& r, jobs::ProgressSink& sink, std::stop_token stop)
{
    if (r.format != "gguf") {
        if (r.output.empty()) return makeError(ErrorCode::InvalidArgument, {}, "no output folder given");
        if (r.dryRun) return makeError(ErrorCode::InvalidArgument, {}, "a dry run plans GGUF mixes only");
        auto e = hfExportRequest(r);
        if (!e) return std::move(e).error();
        const auto jobStart = std::chrono::steady_clock::now();
        std::vector<Message> calibrationWarnings;
        double exportStart = 0.0;
        if (e->method != "rtn" && !e->quantize) {
            // Calibration takes nearly all of such a job; the export is a tensor-by-tensor copy.
            exportStart = 0.9;
            auto c = runCalibratedExport(r, e->method, exportStart, jobStart, sink, stop);
            if (!c) return std::move(c).error();
            e->quantize = std::move(c->quantize);
            e->replacements = std::move(c->replacements);
            calibrationWarnings = std::move(c->warnings);
            if (e->method == "gptq") {
                e->dampPercent = c->gptq.percDamp;
                e->staticGroups = c->gptq.staticGroups;
                e->trueSequential = false; // the driver quantizes a block's linears from one pass (block mode)
                // desc_act: the sweep's order. compressed-tensors writes g_idx only for a
                // non-natural grouping (static groups keep it natural).
                if (r.format == "gptq") e->pack.actOrder = c->gptq.actOrder;
                else e->pack.actOrder = c->gptq.actOrder && !c->gptq.staticGroups;
            }
        }
        jobs::NestedProgress exportProgress(sink, exportStart, 1.0, jobStart);
        auto x = runHfExport(*e, exportProgress, stop);
        if (!x) return std::move(x).error();
        QuantizeOutcome out;
        out.hfExport = true;
        out.output = x->output;
        out.fileBytes = x->fileBytes;
        out.tensors = x->tensors;
        out.formatLabel = x->formatLabel;
        out.method = e->method;
        out.quantizedLinears = x->quantizedLinears;
        out.shards = x->shards;
        out.warnings = std::move(calibrationWarnings);
        for (auto& w : x->warnings) out.warnings.push_back(std::move(w));
        return out;
    }
    const std::string method = effectiveMethod(r);
    if (method != "rtn" && method != "imatrix" && method != "gptq")
        return makeError(ErrorCode::InvalidArgument, {}, "--method " + method + " for GGUF types is not built yet (rtn, imatrix or gptq)");
    if (method == "gptq") {
        if (!r.imatrix.empty())
            return makeError(ErrorCode::InvalidArgument, r.imatrix.string(), "--method gptq computes its own statistics from the calibration text: drop --imatrix");
        if (isFloatType(r.type) && !r.plan && r.planFile.empty())
            return makeError(ErrorCode::InvalidArgument, {}, "--method gptq quantizes to a mix (Q4_K_M, ...), not to " + r.type);
    } else if (method == "imatrix" && !r.calibration.empty()) {
        if (!r.imatrix.empty())
            return makeError(ErrorCode::InvalidArgument, r.imatrix.string(), "--calibration computes the importance matrix: drop --imatrix (or --calibration)");
    } else if (!r.calibration.empty() || r.calibrationTokens > 0 || r.calibrationCtx > 0) {
        return makeError(ErrorCode::InvalidArgument, {}, "--calibration goes with --method gptq or imatrix for GGUF types");
    }
    if (method == "imatrix" && r.imatrix.empty() && r.calibration.empty())
        return makeError(ErrorCode::InvalidArgument, {}, "--method imatrix needs an importance matrix (--imatrix FILE) or --calibration SET|FILE");
    if (r.output.empty() && !r.dryRun) return makeError(ErrorCode::InvalidArgument, {}, "no output file given");
    if ((!r.planFile.empty() || r.plan) &&
        (!r.overrides.empty() || r.outputTensorType || r.tokenEmbeddingType || r.pure || r.leaveOutputTensor))
        return makeError(ErrorCode::InvalidArgument, r.planFile.string(),
                         "a plan fixes every tensor's type: it cannot be combined with type overrides, pure or leave-output-tensor");

    // Float types without quantization options: the HF -> GGUF conversion.
    if (isFloatType(r.type) && !hasQuantizationOptions(r)) {
        // Weights: the share of a conversion's time each pass takes (reading headers is quick;
        // the re-validation reads headers back only).
        jobs::WeightedProgress progress(sink, {{jobs::Stage::Opening, 1}, {jobs::Stage::Converting, 96}, {jobs::Stage::Validating, 3}});
        auto ck = io::openCheckpoint(r.input, progress, stop);
        if (!ck) return std::move(ck).error();
        ConvertConfig cfg;
        cfg.outType = *dtypeFromName(r.type);
        cfg.threads = r.threads;
        auto c = convertToGguf(**ck, r.output, cfg, progress, stop);
        if (!c) return std::move(c).error();
        QuantizeOutcome out;
        out.conversion = true;
        out.output = c->output;
        out.fileBytes = c->fileBytes;
        out.tensors = c->tensors;
        out.warnings = std::move(c->warnings);
        return out;
    }

    QuantizeConfig cfg;
    cfg.threads = r.threads;
    cfg.pure = r.pure;
    cfg.leaveOutputTensor = r.leaveOutputTensor;
    cfg.overrides = r.overrides;
    cfg.outputTensorType = r.outputTensorType;
    cfg.tokenEmbeddingType = r.tokenEmbeddingType;
    if (r.plan) {
        cfg.plan = *r.plan;
    } else if (!r.planFile.empty()) {
        auto text = io::readTextFile(r.planFile, kMaxPlanBytes);
        if (!text) return std::move(text).error();
        auto p = plan::planFromJson(*text, r.planFile.string());
        if (!p) return std::move(p).error();
        cfg.plan = std::move(*p);
    } else {
        if (!plan::findMix(r.type)) return makeError(ErrorCode::InvalidArgument, {}, "unknown quantization type '" + r.type + "'");
        cfg.mix = r.type;
    }
    // One job-wide fraction. GPTQ: the calibration run takes most of the time (a forward pass
    // and a re-run per block). An importance matrix computed in the run: its forward pass first.
    const bool calibrateHere = method == "imatrix" && r.imatrix.empty() && !r.dryRun;
    std::vector<jobs::ProgressPass> passes;
    if (method == "gptq" && !r.dryRun)
        passes = {{jobs::Stage::Opening, 1}, {jobs::Stage::Calibrating, 88}, {jobs::Stage::Quantizing, 10}, {jobs::Stage::Validating, 1}};
    else if (calibrateHere)
        passes = {{jobs::Stage::Calibrating, 70}, {jobs::Stage::Opening, 1}, {jobs::Stage::Quantizing, 27}, {jobs::Stage::Validating, 2}};
    else
        passes = {{jobs::Stage::Opening, 1}, {jobs::Stage::Quantizing, 96}, {jobs::Stage::Validating, 3}};
    jobs::WeightedProgress progress(sink, std::move(passes));
    if (calibrateHere) {
        // The importance matrix of the calibration text, computed here (runCalibrate: the
        // chunks GPTQ uses), through a temporary file beside the output removed in every case.
        const std::filesystem::path tmp = r.output.string() + ".imatrix-tmp.gguf";
        struct Remove {
            std::filesystem::path p;
            ~Remove()
            {
                std::error_code ec;
                std::filesystem::remove(p, ec);
            }
        } remove{tmp};
        CalibrateRequest c;
        c.model = r.input;
        c.set = r.calibration;
        c.threads = r.threads;
        c.output = tmp;
        const std::unique_ptr<jobs::ProgressSink> calibrating = progress.nested(0);
        auto facts = io::openCheckpoint(r.input, *calibrating, stop);
        if (!facts) return std::move(facts).error();
        const std::uint64_t maxPositions = (*facts)->spec().maxPositions;
        c.ctx = r.calibrationCtx > 0 ? r.calibrationCtx
                                     : (maxPositions > 0 ? std::min<std::int64_t>(kGgufGptqDefaultCtx, static_cast<std::int64_t>(maxPositions))
                                                         : kGgufGptqDefaultCtx);
        c.tokenBudget = r.calibrationTokens > 0 ? r.calibrationTokens : kGgufGptqDefaultChunks * c.ctx;
        auto done = runCalibrate(c, *calibrating, stop);
        if (!done) return std::move(done).error();
        auto im = quant::ImportanceMatrix::load(tmp);
        if (!im) return std::move(im).error();
        cfg.imatrix = std::make_shared<const quant::ImportanceMatrix>(std::move(*im));
        cfg.imatrixLabel = r.calibration;
    } else if (!r.imatrix.empty()) {
        auto im = quant::ImportanceMatrix::load(r.imatrix);
        if (!im) return std::move(im).error();
        cfg.imatrix = std::make_shared<const quant::ImportanceMatrix>(std::move(*im));
        cfg.imatrixLabel = r.imatrixLabel.empty() ? r.imatrix.string() : r.imatrixLabel; // llama-quantize: the path as given
    }

    if (r.dryRun && isConfigOnlyFolder(r.input)) return dryRunFromConfig(r, cfg, progress, stop);
    auto ck = io::openCheckpoint(r.input, progress, stop);
    if (!ck) return std::move(ck).error();

    QuantizeOutcome out;
    if (r.dryRun) {
        auto planned = planQuantization(**ck, cfg);
        if (!planned) return std::move(planned).error();
        if (method == "gptq") planned->plan.method = plan::PlanMethod::Gptq;
        if (!r.planOut.empty()) CONDENSE_TRY(savePlan(r.planOut, planned->plan));
        out.dryRun = true;
        out.tensors = planned->plan.tensors.size();
        out.plan = std::move(planned->plan);
        out.warnings = std::move(planned->warnings);
        return out;
    }
    if (method == "gptq") {
        if (cfg.plan && cfg.plan->method == plan::PlanMethod::Gptq) cfg.plan->method = plan::PlanMethod::Rtn; // a saved GPTQ plan: its types
        auto planned = planQuantization(**ck, cfg);
        if (!planned) return std::move(planned).error();
        GgufGptqRunConfig gc;
        if (!r.calibration.empty()) gc.calibration = r.calibration;
        gc.tokens = r.calibrationTokens;
        gc.ctx = r.calibrationCtx;
        gc.threads = r.threads;
        gc.spillFolder = r.output.parent_path().empty() ? std::filesystem::path(".") : r.output.parent_path();
        auto run = runGgufGptq(*ck, planned->plan, gc, progress, stop);
        if (!run) return std::move(run).error();
        cfg.precomputed = run->tensors;
        out.method = "gptq";
        out.calibrationLabel = run->calibrationLabel;
        out.calibrationChunks = run->chunks;
        out.calibrationCtx = run->ctx;
        out.gptqTensors = run->gptqTensors;
        out.fallbackTensors = run->fallbackTensors;
        out.gptqSeconds = run->seconds;
        out.forwardSeconds = run->forwardSeconds;
        out.statisticsSeconds = run->statisticsSeconds;
        out.quantizeSeconds = run->quantizeSeconds;
        out.rerunSeconds = run->rerunSeconds;
        out.warnings = std::move(run->warnings);
    }
    const auto writeStart = std::chrono::steady_clock::now();
    auto q = runQuantize(**ck, r.output, cfg, progress, stop);
    if (!q) return std::move(q).error();
    out.writeSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - writeStart).count();
    if (method == "gptq") q->plan.method = plan::PlanMethod::Gptq;
    if (!r.planOut.empty()) CONDENSE_TRY(savePlan(r.planOut, q->plan));
    out.output = q->output;
    out.fileBytes = q->fileBytes;
    out.tensors = q->plan.tensors.size();
    out.plan = std::move(q->plan);
    out.warnings.insert(out.warnings.begin(), q->warnings.begin(), q->warnings.end());
    return out;
}

} // namespace condense::pipeline
