#include "core/pipeline/analyze_request.h"

#include <system_error>

#include "core/arch/tensor_naming.h"
#include "core/io/atomic_file.h"
#include "core/report/analysis_report.h"
#include "core/common/regex.h"
#include "core/pipeline/quantize_job.h"
#include "core/plan/mixes.h"
#include "core/quant/imatrix.h"
#include "core/quant/quant_registry.h"

namespace condense::pipeline {

std::optional<DType> previewTypeFromName(std::string_view name)
{
    auto t = dtypeFromName(name);
    if (!t) return std::nullopt;
    const DTypeTraits* tr = dtypeTraits(*t);
    const quant::QuantKernels* k = quant::quantKernels(*t);
    if (!tr || !tr->isQuantized || !k || !k->quantizeRow || !k->dequantizeRow || !k->dot) return std::nullopt;
    return t;
}

namespace {

// The name a plan uses for a checkpoint tensor (the GGUF name; HF names converted).
std::string planName(const io::Checkpoint& ck, const std::string& name)
{
    if (ck.format() == io::CheckpointFormat::Gguf) return name;
    auto g = arch::ggufTensorName(name);
    return g ? *g : name;
}

std::string importanceKey(const std::filesystem::path& p)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(p, ec);
    const auto mtime = std::filesystem::last_write_time(p, ec);
    return p.string() + "|" + std::to_string(size) + "|" + std::to_string(mtime.time_since_epoch().count());
}

} // namespace

Result<AnalyzeOutcome> runAnalyze(const AnalyzeRequest& r, jobs::ProgressSink& sink, std::stop_token stop,
                                  const analysis::TensorCallback& onTensor)
{
    const int previews = (r.previewType ? 1 : 0) + (r.previewMix.empty() ? 0 : 1) + (r.plan ? 1 : 0);
    if (previews > 1) return makeError(ErrorCode::InvalidArgument, r.path.string(), "give one preview: a type, a mix or a plan");
    if (r.previewType && !previewTypeFromName(dtypeName(*r.previewType)))
        return makeError(ErrorCode::InvalidArgument, r.path.string(), "no quantization kernels for type " + std::string(dtypeName(*r.previewType)));
    if (!r.previewMix.empty()) {
        const plan::MixInfo* m = plan::findMix(r.previewMix);
        if (!m) return makeError(ErrorCode::InvalidArgument, r.path.string(), "unknown quantization type '" + r.previewMix + "'");
    }
    std::optional<Regex> regex;
    if (!r.tensorRegex.empty()) {
        auto re = Regex::compile(r.tensorRegex);
        if (!re) {
            Error e = std::move(re).error();
            e.file = r.path.string();
            e.detail = "tensor regex '" + r.tensorRegex + "' " + e.detail;
            return e;
        }
        regex = std::move(*re);
    }
    std::shared_ptr<const quant::ImportanceMatrix> im;
    if (!r.imatrix.empty()) {
        auto m = quant::ImportanceMatrix::load(r.imatrix);
        if (!m) return std::move(m).error();
        im = std::make_shared<const quant::ImportanceMatrix>(std::move(*m));
    }

    jobs::WeightedProgress progress(sink, {{jobs::Stage::Opening, 1}, {jobs::Stage::Analyzing, 99}});
    auto opened = io::openCheckpoint(r.path, progress, stop);
    if (!opened) return std::move(opened).error();
    const io::Checkpoint& ck = **opened;

    AnalyzeOutcome out;
    out.checkpoint = *opened;
    analysis::ModelAnalysisConfig cfg;
    cfg.cacheDir = r.cacheDir;
    cfg.threads = r.threads;
    const std::size_t n = ck.tensors().size();
    for (std::size_t i = 0; i < n; ++i)
        if (!regex || regex->search(ck.tensors()[i].name)) cfg.tensors.push_back(i);

    std::optional<plan::QuantPlan> plan = r.plan;
    if (!r.previewMix.empty()) {
        QuantizeConfig qc;
        qc.mix = r.previewMix;
        qc.imatrix = im;
        auto planned = planQuantization(ck, qc);
        if (!planned) return std::move(planned).error();
        plan = std::move(planned->plan);
        out.previewLabel = plan->mix.empty() ? r.previewMix : plan->mix;
    } else if (r.plan) {
        out.previewLabel = "plan";
    } else if (r.previewType) {
        out.previewLabel = std::string(dtypeName(*r.previewType));
    }
    if (r.previewType || plan) {
        cfg.previewTypes.assign(n, std::nullopt);
        for (std::size_t i : cfg.tensors) {
            const io::TensorEntry& t = ck.tensors()[i];
            if (t.shape.size() < 2) continue; // vectors are never quantized
            if (r.previewType) {
                cfg.previewTypes[i] = r.previewType;
            } else {
                const std::int64_t k = plan->find(planName(ck, t.name));
                if (k < 0) continue;
                const plan::TensorPlan& tp = plan->tensors[static_cast<std::size_t>(k)];
                if (!tp.group && previewTypeFromName(dtypeName(tp.type))) cfg.previewTypes[i] = tp.type;
            }
        }
    }
    if (im) {
        cfg.importance.assign(n, nullptr);
        cfg.importanceKey = importanceKey(r.imatrix);
        for (std::size_t i : cfg.tensors) {
            const io::TensorEntry& t = ck.tensors()[i];
            const std::vector<float>* v = im->find(planName(ck, t.name));
            std::uint64_t planes = 1;
            for (std::size_t d = 0; d + 2 < t.shape.size(); ++d) planes *= t.shape[d];
            if (v && v->size() == t.rowLength() * planes) cfg.importance[i] = v->data();
        }
    }
    auto a = analysis::analyzeModel(ck, cfg, progress, stop, onTensor);
    if (!a) return std::move(a).error();
    out.analysis = std::move(*a);
    if (r.reportJson || !r.reportPath.empty()) {
        out.reportJson = report::analysisJson(ck, out.analysis, out.previewLabel, r.histogram);
        if (!r.reportPath.empty()) CONDENSE_TRY(io::writeFileAtomically(r.reportPath, out.reportJson + "\n"));
    }
    return out;
}

} // namespace condense::pipeline
