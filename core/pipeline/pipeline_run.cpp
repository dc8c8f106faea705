#include "core/pipeline/pipeline_run.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <random>
#include <system_error>

#include "core/arch/tensor_naming.h"
#include "core/io/atomic_file.h"
#include "core/io/checkpoint.h"
#include "core/io/hf_folder_writer.h"
#include "core/jobs/thread_arena.h"
#include "core/pipeline/bundled_eval_text.h"
#include "core/pipeline/eval_request.h"
#include "core/pipeline/quantize_request.h"
#include "core/plan/hf_format_plan.h"
#include "core/quant/row_source.h"
#include "core/report/run_report_html.h"

namespace condense::pipeline {

namespace fs = std::filesystem;

eval::EvalConfig defaultRunEvalConfig()
{
    eval::EvalConfig c;
    c.continuationTasks = 40;
    return c;
}

eval::LatencyConfig defaultRunLatencyConfig()
{
    eval::LatencyConfig c;
    c.repetitions = 1;
    return c;
}

std::string runModelName(const fs::path& input)
{
    fs::path p = input;
    if (p.filename().empty()) p = p.parent_path();
    std::error_code ec;
    if (fs::is_directory(p, ec)) return p.filename().string();
    return p.stem().string();
}

std::string runOutputFileName(const fs::path& input, const std::string& type)
{
    return runModelName(input) + "-" + (type.empty() ? std::string("custom") : type) + ".gguf";
}

std::string runOutputFolderName(const fs::path& input, const std::string& label)
{
    return runModelName(input) + "-" + (label.empty() ? std::string("custom") : label);
}

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string utcNow()
{
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The hidden folder a run builds its outputs in; removed (with whatever is in it) unless
// released after the outputs were moved out.
class StagingFolder {
public:
    StagingFolder() = default;
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;
    ~StagingFolder()
    {
        if (m_path.empty()) return;
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    Status create(const fs::path& parent)
    {
        std::random_device rd;
        std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
                            static_cast<std::uint64_t>(Clock::now().time_since_epoch().count()));
        for (int attempt = 0; attempt < 16; ++attempt) {
            char name[40];
            std::snprintf(name, sizeof name, ".condense-run-%012llx", static_cast<unsigned long long>(gen() & 0xffffffffffffull));
            const fs::path p = parent / name;
            std::error_code ec;
            if (fs::create_directory(p, ec)) {
                m_path = p;
                return okStatus();
            }
            if (ec) return makeError(ErrorCode::IoError, p.string(), "cannot create the staging folder: " + ec.message());
        }
        return makeError(ErrorCode::IoError, parent.string(), "cannot create a staging folder");
    }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

int layerOf(const std::string& ggufName)
{
    if (ggufName.rfind("blk.", 0) != 0) return -1;
    int layer = 0;
    std::size_t i = 4;
    if (i >= ggufName.size() || !std::isdigit(static_cast<unsigned char>(ggufName[i]))) return -1;
    while (i < ggufName.size() && std::isdigit(static_cast<unsigned char>(ggufName[i]))) layer = layer * 10 + (ggufName[i++] - '0');
    return layer;
}

struct TensorError {
    report::RunTensor tensor;
    double errSq = 0, refSq = 0;
};

// Relative RMSE of every 2-D+ tensor of `quantized` against the same tensor of `original`
// (llama.cpp row order, so permuted Q/K rows of a Hugging Face checkpoint line up). Progress in
// float bytes compared; the stop token is checked between tensors and row blocks.
Result<std::vector<TensorError>> weightErrors(const io::Checkpoint& original, const io::Checkpoint& quantized,
                                              const plan::QuantPlan& plan, int threads, jobs::ProgressSink& progress,
                                              std::stop_token stop)
{
    std::map<std::string, std::size_t, std::less<>> byGgufName;
    const bool hf = original.format() != io::CheckpointFormat::Gguf;
    for (std::size_t i = 0; i < original.tensors().size(); ++i) {
        const std::string& n = original.tensors()[i].name;
        if (!hf) {
            byGgufName.emplace(n, i);
        } else if (auto g = arch::ggufTensorName(n)) {
            byGgufName.emplace(*g, i);
        }
    }
    // An HF quantized folder (its linears dequantized by the checkpoint) is read as the original
    // is: by GGUF name, in llama.cpp row order.
    std::map<std::string, std::size_t, std::less<>> quantizedByGgufName;
    const bool hfQuantized = quantized.format() != io::CheckpointFormat::Gguf;
    if (hfQuantized)
        for (std::size_t i = 0; i < quantized.tensors().size(); ++i)
            if (auto g = arch::ggufTensorName(quantized.tensors()[i].name)) quantizedByGgufName.emplace(*g, i);
    std::vector<const plan::TensorPlan*> todo;
    std::uint64_t totalBytes = 0;
    for (const auto& t : plan.tensors) {
        if (t.ne.size() < 2) continue;
        todo.push_back(&t);
        totalBytes += t.elements() * 4;
    }
    jobs::ThreadArena arena(jobs::ThreadingConfig{threads});
    std::vector<TensorError> out;
    std::uint64_t doneBytes = 0;
    progress.report(jobs::Stage::Analyzing, 0, totalBytes);
    for (const plan::TensorPlan* t : todo) {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, {}, "cancelled");
        // A tensor the conversion makes with no one counterpart in the original has no error to
        // measure (none of the architectures we run has one among its matrices today).
        const auto it = byGgufName.find(t->name);
        if (it == byGgufName.end()) continue;
        auto a = quant::RowSource::open(original, it->second, quant::RowOrder::LlamaCpp);
        if (!a) return std::move(a).error();
        auto b = [&]() -> Result<quant::RowSource> {
            if (!hfQuantized) return quant::RowSource::open(quantized, t->name, quant::RowOrder::Source);
            if (const auto q = quantizedByGgufName.find(t->name); q != quantizedByGgufName.end())
                return quant::RowSource::open(quantized, q->second, quant::RowOrder::LlamaCpp);
            Error e = makeError(ErrorCode::MissingTensor, quantized.path().string(), "the quantized model has no tensor of this name");
            e.tensor = t->name;
            return e;
        }();
        if (!b) return std::move(b).error();
        if (a->rows() != b->rows() || a->cols() != b->cols())
            return Error{ErrorCode::Malformed, b->file(), "shape differs from the original's", t->name, -1};
        // Blocks of rows of about 1 MB of floats, each summed on its own (a fixed order, so the
        // result does not depend on the thread count), then added up in block order.
        const std::uint64_t cols = a->cols();
        const std::uint64_t rowsPerBlock = std::max<std::uint64_t>(1, (1u << 18) / std::max<std::uint64_t>(1, cols));
        const std::uint64_t blocks = (a->rows() + rowsPerBlock - 1) / rowsPerBlock;
        std::vector<double> err(blocks), ref(blocks);
        std::vector<Status> status(blocks, okStatus());
        bool finished = true;
        arena.execute([&] {
            finished = jobs::parallelFor(blocks, stop, [&](std::size_t k) {
                const std::uint64_t r0 = k * rowsPerBlock;
                const std::uint64_t n = std::min(rowsPerBlock, a->rows() - r0);
                std::vector<float> x(n * cols), y(n * cols);
                if (auto s = a->read(r0, n, x.data()); !s) {
                    status[k] = std::move(s);
                    return;
                }
                if (auto s = b->read(r0, n, y.data()); !s) {
                    status[k] = std::move(s);
                    return;
                }
                double e = 0, w = 0;
                for (std::size_t i = 0; i < x.size(); ++i) {
                    const double d = static_cast<double>(y[i]) - static_cast<double>(x[i]);
                    e += d * d;
                    w += static_cast<double>(x[i]) * static_cast<double>(x[i]);
                }
                err[k] = e;
                ref[k] = w;
            });
        });
        if (!finished || stop.stop_requested()) return makeError(ErrorCode::Cancelled, {}, "cancelled");
        for (auto& s : status)
            if (!s) return std::move(s).error();
        TensorError te;
        for (std::uint64_t k = 0; k < blocks; ++k) {
            te.errSq += err[k];
            te.refSq += ref[k];
        }
        te.tensor.name = t->name;
        te.tensor.layer = layerOf(t->name);
        te.tensor.inputType = std::string(dtypeName(t->inputType));
        te.tensor.type = t->group ? std::to_string(t->group->bits) + "-bit g" + std::to_string(t->group->groupSize) : std::string(dtypeName(t->type));
        te.tensor.elements = t->elements();
        te.tensor.bytes = t->bytes();
        te.tensor.relativeRmse = te.refSq > 0 ? std::sqrt(te.errSq / te.refSq) : (te.errSq > 0 ? 1.0 : 0.0);
        out.push_back(std::move(te));
        doneBytes += t->elements() * 4;
        progress.report(jobs::Stage::Analyzing, doneBytes, totalBytes, t->name);
    }
    progress.report(jobs::Stage::Analyzing, totalBytes, totalBytes);
    return out;
}

report::RunModelFigures figuresOf(const eval::ModelEval& m, const std::optional<report::LatencyFigures>& latency)
{
    report::RunModelFigures f;
    f.label = m.label;
    f.ppl = m.ppl;
    f.pplUncertainty = m.pplUncertainty;
    f.meanNll = m.meanNll;
    f.top1 = m.top1;
    f.kld = {m.kldMean, m.kldUncertainty, m.kldMedian, m.kldP90, m.kldP99, m.kldMax};
    f.sameTop = m.sameTop;
    f.sameTopUncertainty = m.sameTopUncertainty;
    for (const auto& mc : m.mc) f.mc.push_back({mc.task, mc.tasks, mc.correct, mc.accuracy()});
    f.latency = latency;
    return f;
}

std::uint64_t filesBytes(const io::Checkpoint& ck)
{
    std::uint64_t total = 0;
    for (const auto& f : ck.files()) {
        std::error_code ec;
        const auto n = fs::file_size(f, ec);
        if (!ec) total += n;
    }
    return total;
}

Status moveInto(const fs::path& from, const fs::path& to)
{
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) return makeError(ErrorCode::IoError, to.string(), "cannot move the finished file into place: " + ec.message());
    return okStatus();
}

} // namespace

Result<RunOutcome> runPipeline(const RunRequest& r, jobs::ProgressSink& sink, std::stop_token stop)
{
    // Weights: shares of a run's time on a 1B model with the default evaluation (quantizing
    // and scoring the text dominate; latency is pp512 + tg128 of two models).
    // A calibrated method (GPTQ) runs the model over its calibration text block by block first:
    // that pass (a nested job with its own fraction) then outweighs the evaluation.
    //
    // The output format: the request's, or an HF plan's own settings (a plan made in the GUI).
    std::string format = r.format.empty() ? std::string("gguf") : r.format;
    QuantizeRequest hq; // HF formats: the export's request (its output is set below)
    hq.method = r.method;
    hq.bits = r.bits;
    hq.group = r.group;
    hq.symmetric = r.symmetric;
    hq.actOrder = r.actOrder;
    if (r.plan && r.plan->format != plan::PlanFormat::Gguf) {
        format = std::string(plan::planFormatKey(r.plan->format));
        hq.method = std::string(plan::planMethodKey(r.plan->method));
        hq.actOrder = r.plan->actOrder;
        const auto first = std::find_if(r.plan->tensors.begin(), r.plan->tensors.end(), [](const plan::TensorPlan& t) { return t.group.has_value(); });
        if (first == r.plan->tensors.end()) return makeError(ErrorCode::InvalidArgument, {}, "the " + format + " plan quantizes no tensor");
        hq.bits = static_cast<int>(first->group->bits);
        hq.group = first->group->groupSize == 0 ? -1 : static_cast<std::int64_t>(first->group->groupSize);
        hq.symmetric = first->group->symmetric;
    }
    const bool hf = format != "gguf";
    hq.input = r.input;
    hq.format = format;
    hq.calibration = r.calibration;
    hq.calibrationTokens = r.calibrationTokens;
    hq.threads = r.threads;
    const std::string hfMethod = hf ? effectiveMethod(hq) : std::string();
    const bool calibrated = hf ? hfMethod != "rtn" : (r.method == "gptq" || (r.method == "imatrix" && r.imatrix.empty()));
    std::vector<jobs::ProgressPass> passes{{jobs::Stage::Opening, 1},
                                           {calibrated ? jobs::Stage::Calibrating : jobs::Stage::Quantizing, calibrated ? 150.0 : 30.0},
                                           {jobs::Stage::Validating, 1}, {jobs::Stage::Opening, 1}, {jobs::Stage::Evaluating, 50}};
    if (r.latency) passes.push_back({jobs::Stage::Measuring, 12});
    if (r.weightError) passes.push_back({jobs::Stage::Analyzing, 5});
    passes.push_back({jobs::Stage::Writing, 1});
    jobs::WeightedProgress progress(sink, std::move(passes));
    const auto cancelled = [] { return makeError(ErrorCode::Cancelled, {}, "cancelled"); };

    if (r.input.empty()) return makeError(ErrorCode::InvalidArgument, {}, "no model given");
    if (r.outputDir.empty()) return makeError(ErrorCode::InvalidArgument, {}, "no output folder given");
    std::error_code ec;
    if (!fs::exists(r.input, ec)) return makeError(ErrorCode::NotFound, r.input.string(), "no such file or folder");
    if (!r.evalText.empty() && !fs::is_regular_file(r.evalText, ec))
        return makeError(ErrorCode::NotFound, r.evalText.string(), "no such evaluation text");
    if (hf) {
        if (auto e = hfExportRequest(hq); !e) return std::move(e).error();
        if (!r.imatrix.empty())
            return makeError(ErrorCode::InvalidArgument, r.imatrix.string(), "an importance matrix goes with GGUF output, not with a " + format + " folder");
        if (fs::is_regular_file(r.input, ec) && r.input.extension() == ".gguf")
            return makeError(ErrorCode::InvalidArgument, r.input.string(),
                             "a " + format + " folder is made from a Hugging Face model folder (safetensors), not from a GGUF file");
    }

    report::RunReport rep;
    rep.model = runModelName(r.input);
    rep.input = r.input.string();
    rep.threads = r.threads;
    std::vector<report::RunStageTime> stages;

    // 1. Plan (before touching the output folder, so a bad mix or model costs nothing there).
    auto t0 = Clock::now();
    plan::QuantPlan plan;
    if (hf) {
        auto model = readPlanModel(r.input, progress, stop);
        if (!model) return std::move(model).error();
        if (model->configOnly) return makeError(ErrorCode::InvalidArgument, r.input.string(), "the folder holds no weights (only config.json)");
        plan::HfFormatOptions o;
        o.format = *plan::planFormatFromKey(format);
        o.method = plan::planMethodFromKey(hfMethod).value_or(plan::PlanMethod::Rtn);
        o.encoding.bits = static_cast<std::uint32_t>(hq.bits);
        o.encoding.groupSize = hq.group > 0 ? static_cast<std::uint32_t>(hq.group) : 0;
        o.encoding.symmetric = hq.symmetric.value_or(format != "awq");
        o.actOrder = hq.actOrder;
        plan = plan::planHfFormat(model->tensors, o);
        rep.planSource = r.plan ? "plan" : "format";
    } else {
        std::optional<plan::QuantPlan> given = r.plan;
        if (!given && r.profile) {
            PlanRequest pr;
            pr.model = r.input;
            pr.profileId = r.profile->id;
            pr.profiles = r.profile->profiles;
            pr.context = r.profile->context;
            pr.kvType = r.profile->kvType;
            jobs::NullSink quiet;
            auto fit = runPlan(pr, quiet, stop);
            if (!fit) return std::move(fit).error();
            if (!fit->fit.fits || fit->fit.plan.tensors.empty())
                return makeError(ErrorCode::InvalidArgument, r.input.string(),
                                 "nothing fits profile " + r.profile->id + ": the smallest plan needs " + std::to_string(fit->fit.chosen.needed) +
                                     " bytes, the profile has " + std::to_string(fit->fit.chosen.available) + " usable");
            given = std::move(fit->fit.plan);
        }
        QuantizeRequest q;
        q.input = r.input;
        q.type = r.mix;
        q.imatrix = r.imatrix;
        q.plan = given;
        if (!given) q.planFile = r.planFile;
        q.dryRun = true;
        q.threads = r.threads;
        auto planned = runQuantize(q, progress, stop);
        if (!planned) return std::move(planned).error();
        plan = std::move(*planned->plan);
        rep.planSource = r.plan ? "plan" : r.profile ? "profile" : !r.planFile.empty() ? "plan" : "mix";
    }
    stages.push_back({"plan", secondsSince(t0)});
    if (stop.stop_requested()) return cancelled();

    const std::string type = plan.mix.empty() ? std::string("custom") : plan.mix;
    const fs::path modelPath = r.outputDir / (hf ? runOutputFolderName(r.input, type) : runOutputFileName(r.input, type));
    const fs::path jsonPath = r.outputDir / report::kRunReportFile;
    const fs::path htmlPath = r.outputDir / report::kRunReportHtmlFile;
    if (fs::exists(r.outputDir, ec) && !fs::is_directory(r.outputDir, ec))
        return makeError(ErrorCode::InvalidArgument, r.outputDir.string(), "not a folder");
    if (!r.overwrite) {
        for (const auto& p : {modelPath, jsonPath, htmlPath}) {
            if (!fs::exists(p, ec)) continue;
            // An HF folder: an empty one is fine; one that holds a model (or anything) is named as such.
            if (hf && p == modelPath) CONDENSE_TRY(io::checkOutputFolder(modelPath, {r.input}));
            else return makeError(ErrorCode::InvalidArgument, p.string(), "exists already (allow overwriting to replace it)");
        }
    }
    bool createdDir = false;
    if (!fs::exists(r.outputDir, ec)) {
        if (!fs::create_directories(r.outputDir, ec) || ec)
            return makeError(ErrorCode::IoError, r.outputDir.string(), "cannot create the output folder: " + ec.message());
        createdDir = true;
    }
    // An output folder this run created is removed again when the run does not finish.
    struct CreatedDir {
        fs::path path;
        bool keep = false;
        ~CreatedDir()
        {
            std::error_code e;
            if (!path.empty() && !keep) fs::remove(path, e); // only when empty
        }
    } createdGuard{createdDir ? r.outputDir : fs::path(), false};
    StagingFolder staging;
    CONDENSE_TRY(staging.create(r.outputDir));
    const fs::path stagedModel = staging.path() / modelPath.filename();

    // 2. Quantize into the staging folder.
    t0 = Clock::now();
    QuantizeOutcome quantized;
    if (hf) {
        // The folder is built inside the staging folder (itself through a temporary folder,
        // hf_folder_writer.h), with the calibration first when the method has one.
        QuantizeRequest q = hq;
        q.output = stagedModel;
        auto nested = progress.nested(1);
        auto out = runQuantize(q, *nested, stop);
        if (!out) return std::move(out).error();
        quantized = std::move(*out);
    } else {
        QuantizeRequest q;
        q.input = r.input;
        q.output = stagedModel;
        q.imatrix = r.imatrix;
        q.plan = plan;
        q.threads = r.threads;
        q.method = r.method;
        q.calibration = r.calibration;
        q.calibrationTokens = r.calibrationTokens;
        std::unique_ptr<jobs::ProgressSink> nested;
        if (calibrated) nested = progress.nested(1);
        auto out = runQuantize(q, calibrated ? *nested : static_cast<jobs::ProgressSink&>(progress), stop);
        if (!out) return std::move(out).error();
        quantized = std::move(*out);
    }
    stages.push_back({"quantize", secondsSince(t0)});
    if (stop.stop_requested()) return cancelled();

    // 3 + 4. Evaluate the GGUF against the original (and their speed).
    EvalOutcome ev;
    {
        EvalRequest e;
        e.models = {r.input, stagedModel};
        e.labels = {rep.model, rep.model + "-" + type};
        if (r.evalText.empty()) {
            e.text = std::string(kBundledEvalTextLabel);
            e.textContent = std::string(bundledEvalText());
        } else {
            e.text = r.evalText;
        }
        e.config = r.eval;
        e.latency = r.latency;
        e.latencyConfig = r.latencyConfig;
        e.threads = r.threads;
        // The evaluation's progress passes run through ours (opening, evaluating, measuring).
        auto out = runEval(e, progress, stop);
        if (!out) return std::move(out).error();
        ev = std::move(*out);
    }
    if (stop.stop_requested()) return cancelled();

    // 5. Weight error.
    t0 = Clock::now();
    std::vector<TensorError> errors;
    std::uint64_t quantizedBytes = quantized.fileBytes;
    if (r.weightError) {
        jobs::NullSink quiet;
        auto orig = io::openCheckpoint(r.input, quiet, stop);
        if (!orig) return std::move(orig).error();
        auto quant = io::openCheckpoint(stagedModel, quiet, stop);
        if (!quant) return std::move(quant).error();
        auto we = weightErrors(**orig, **quant, quantized.plan ? *quantized.plan : plan, r.threads, progress, stop);
        if (!we) return std::move(we).error();
        errors = std::move(*we);
        rep.original.bytes = filesBytes(**orig);
        // A folder's size: its weight files, as the original's (tokenizer and config files aside).
        if (hf) quantizedBytes = filesBytes(**quant);
    } else {
        jobs::NullSink quiet;
        auto orig = io::openCheckpoint(r.input, quiet, stop);
        if (!orig) return std::move(orig).error();
        rep.original.bytes = filesBytes(**orig);
        if (hf) {
            auto quant = io::openCheckpoint(stagedModel, quiet, stop);
            if (!quant) return std::move(quant).error();
            quantizedBytes = filesBytes(**quant);
        }
    }
    const double weightSeconds = secondsSince(t0);
    if (stop.stop_requested()) return cancelled();

    // 6. Report.
    t0 = Clock::now();
    progress.report(jobs::Stage::Writing, 0, 2, std::string(report::kRunReportFile));
    const plan::QuantPlan& followed = quantized.plan ? *quantized.plan : plan;
    const auto& res = ev.result;
    if (res.models.size() != 2) return makeError(ErrorCode::InvalidArgument, {}, "evaluation returned no candidate");
    rep.output = modelPath.filename().string();
    rep.mix = type;
    rep.method = hf ? hfMethod : !r.method.empty() ? r.method : r.imatrix.empty() ? "rtn" : "imatrix";
    rep.format = format;
    if (hf) {
        rep.bits = hq.bits;
        rep.groupSize = hq.group > 0 ? hq.group : 0;
        rep.symmetric = hq.symmetric.value_or(format != "awq");
        rep.actOrder = hq.actOrder;
    }
    if (calibrated) rep.calibration = r.calibration.empty() ? std::string("general (bundled)") : r.calibration;
    rep.fileType = followed.fileType;
    rep.tensorCount = followed.tensors.size();
    rep.predictedBytes = followed.totalBytes();
    rep.bitsPerWeight = followed.bitsPerWeight();
    rep.evalText = res.textLabel;
    rep.protocol = res.protocol == eval::PplProtocol::A ? "A" : "B";
    rep.nCtx = res.nCtx;
    rep.chunks = res.chunks;
    rep.textTokens = res.textTokens;
    rep.driftChunks = r.eval.driftChunks;
    const std::uint64_t origBytes = rep.original.bytes;
    rep.original = figuresOf(res.models[0], ev.latency.size() > 0 ? ev.latency[0] : std::nullopt);
    rep.original.path = r.input.string();
    rep.original.bytes = origBytes;
    const auto elements = followed.totalElements();
    rep.original.bitsPerWeight = elements ? 8.0 * static_cast<double>(followed.totalInputBytes()) / static_cast<double>(elements) : 0;
    rep.quantized = figuresOf(res.models[1], ev.latency.size() > 1 ? ev.latency[1] : std::nullopt);
    rep.quantized.path = modelPath.string();
    rep.quantized.bytes = quantizedBytes;
    rep.quantized.bitsPerWeight = followed.bitsPerWeight();

    // Per layer: the drift of each block and the weight error of its matrices together.
    std::map<int, std::pair<double, double>> layerSums; // layer -> (errSq, refSq)
    for (const auto& e : errors) {
        rep.tensors.push_back(e.tensor);
        if (e.tensor.layer < 0) continue;
        auto& s = layerSums[e.tensor.layer];
        s.first += e.errSq;
        s.second += e.refSq;
    }
    for (const auto& d : res.models[1].drift) {
        report::RunLayer l;
        l.layer = d.layer;
        l.driftRelativeError = d.relativeError;
        l.driftCosine = d.cosine;
        if (const auto it = layerSums.find(d.layer); it != layerSums.end() && it->second.second > 0)
            l.weightRelativeRmse = std::sqrt(it->second.first / it->second.second);
        rep.layers.push_back(l);
    }
    if (rep.layers.empty()) // no drift measured (driftChunks 0): the layers still get their weight error
        for (const auto& [layer, s] : layerSums)
            rep.layers.push_back({layer, 0, 1, s.second > 0 ? std::sqrt(s.first / s.second) : 0, false, false});
    report::markWorstLayers(rep.layers);
    rep.warnings = quantized.warnings;

    stages.push_back({"evaluate", ev.evaluationSeconds});
    if (r.latency) stages.push_back({"latency", ev.latencySeconds});
    if (r.weightError) stages.push_back({"weight_error", weightSeconds});
    rep.created = utcNow();

    // The model's other runs, for the HTML's comparison chart.
    std::vector<report::RunReport> others;
    {
        std::error_code e2;
        fs::path self = fs::absolute(r.outputDir, e2).lexically_normal();
        if (self.filename().empty()) self = self.parent_path(); // "out/"
        const fs::path folder = r.runsFolder.empty() ? self.parent_path() : r.runsFolder;
        if (auto idx = report::listRunReports(folder, rep.model))
            for (auto& entry : idx->runs) {
                // This folder's previous report is replaced by this run.
                if (fs::equivalent(entry.reportPath.parent_path(), r.outputDir, e2)) continue;
                others.push_back(std::move(entry.report));
            }
    }
    stages.push_back({"report", secondsSince(t0)});
    rep.stages = stages;

    const std::string json = report::runReportJson(rep) + "\n";
    CONDENSE_TRY(io::writeFileAtomically(staging.path() / report::kRunReportFile, json));
    progress.report(jobs::Stage::Writing, 1, 2, std::string(report::kRunReportHtmlFile));
    CONDENSE_TRY(io::writeFileAtomically(staging.path() / report::kRunReportHtmlFile, report::runReportHtml(rep, others)));
    if (stop.stop_requested()) return cancelled();

    // Commit: move the three files into place (renames within one folder), the model first.
    if (!r.overwrite) {
        for (const auto& p : {modelPath, jsonPath, htmlPath}) {
            if (!fs::exists(p, ec)) continue;
            if (hf && p == modelPath) CONDENSE_TRY(io::checkOutputFolder(modelPath, {r.input}));
            else return makeError(ErrorCode::InvalidArgument, p.string(), "exists already (allow overwriting to replace it)");
        }
    } else if (hf && fs::is_directory(modelPath, ec)) {
        fs::remove_all(modelPath, ec); // the folder being replaced, as asked
        if (ec) return makeError(ErrorCode::IoError, modelPath.string(), "cannot remove the folder to replace: " + ec.message());
    }
    CONDENSE_TRY(moveInto(stagedModel, modelPath));
    CONDENSE_TRY(moveInto(staging.path() / report::kRunReportFile, jsonPath));
    CONDENSE_TRY(moveInto(staging.path() / report::kRunReportHtmlFile, htmlPath));
    createdGuard.keep = true;
    progress.report(jobs::Stage::Writing, 2, 2);

    RunOutcome out;
    out.model = modelPath;
    out.reportJson = jsonPath;
    out.reportHtml = htmlPath;
    out.report = std::move(rep);
    out.plan = followed;
    out.warnings = std::move(quantized.warnings);
    return out;
}

} // namespace condense::pipeline
