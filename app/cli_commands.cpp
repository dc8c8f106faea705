#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "app/message_text.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>
#include <iostream>
#include <map>
#include <signal.h>
#include <stop_token>
#include <thread>

#include "core/io/hf_quantization.h"
#include "core/pipeline/calibrate_request.h"
#include "core/pipeline/inspect_request.h"
#include "core/pipeline/quantize_request.h"
#include "core/plan/mixes.h"
#include "core/plan/quant_plan.h"
#include "core/report/inspect_report.h"

namespace condense::cli {

namespace {

std::string humanCount(std::uint64_t n)
{
    char buf[32];
    if (n >= 1'000'000'000ull) std::snprintf(buf, sizeof buf, "%.2f B", static_cast<double>(n) / 1e9);
    else if (n >= 1'000'000ull) std::snprintf(buf, sizeof buf, "%.2f M", static_cast<double>(n) / 1e6);
    else if (n >= 1'000ull) std::snprintf(buf, sizeof buf, "%.1f k", static_cast<double>(n) / 1e3);
    else std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(n));
    return buf;
}

std::string shapeText(const std::vector<std::uint64_t>& s)
{
    std::string r = "[";
    for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
    return r + "]";
}

// "LlamaForCausalLM", "llama", or for a GGUF without general.architecture (an imatrix file,
// say) "none (general.type imatrix)"; "(inspection only)" marks what we cannot convert.
std::string inspectArchitecture(const io::Checkpoint& c)
{
    const auto& s = c.spec();
    std::string a = s.hfArchitecture.empty() ? s.modelType : s.hfArchitecture;
    if (a.empty()) {
        a = "none";
        for (const auto& m : c.metadata())
            if (m.key == "general.type") a += " (general.type " + m.value + ")";
        return a;
    }
    return s.known() ? a : a + " (inspection only)";
}

} // namespace

int runInspect(const InspectOptions& o)
{
    jobs::NullSink sink;
    auto r = pipeline::runInspect({o.path}, sink);
    if (!r) return fail(r.error());
    const io::Checkpoint& c = *r->checkpoint;
    if (o.json) {
        std::cout << report::inspectJson(c) << '\n';
        return 0;
    }
    const auto& s = c.spec();
    const std::uint64_t params = c.parameterCount();
    const std::uint64_t bytes = c.totalTensorBytes();
    std::cout << "file:          " << c.path().string() << '\n'
              << "format:        " << io::checkpointFormatName(c.format()) << '\n';
    if (c.quantization())
        std::cout << "quantized:     " << io::hfQuantizationLabel(*c.quantization()) << " (" << c.dequantizedCount()
                  << " linears, shown dequantized as F32)\n";
    std::cout
              << "architecture:  " << inspectArchitecture(c) << '\n'
              << "parameters:    " << humanCount(params) << " (" << params << ")\n"
              << "tensor bytes:  " << humanBytes(bytes) << " (" << bytes << ")\n";
    if (params) {
        char bpw[32];
        std::snprintf(bpw, sizeof bpw, "%.3f", 8.0 * static_cast<double>(bytes) / static_cast<double>(params));
        std::cout << "bits/weight:   " << bpw << '\n';
    }
    if (s.hiddenSize)
        std::cout << "dims:          hidden " << s.hiddenSize << ", ffn " << s.intermediateSize << ", layers " << s.numLayers
                  << ", heads " << s.numHeads << "/" << s.numKvHeads << " kv, head_dim " << s.headDim << ", vocab "
                  << s.vocabSize << ", ctx " << s.maxPositions << '\n';
    std::cout << "\nper type:\n";
    const auto elems = c.elementsPerDtype();
    for (const auto& [t, b] : c.bytesPerDtype()) {
        std::size_t n = 0;
        for (const auto& te : c.tensors()) n += te.dtype == t;
        char line[160];
        const std::uint64_t e = elems.at(t);
        std::snprintf(line, sizeof line, "  %-8s %5zu tensors %12s  %7.3f bits/weight\n", std::string(dtypeName(t)).c_str(), n,
                      humanBytes(b).c_str(), e ? 8.0 * static_cast<double>(b) / static_cast<double>(e) : 0.0);
        std::cout << line;
    }
    std::cout << "\ntensors (" << c.tensors().size() << "):\n";
    std::size_t w = 4;
    for (const auto& t : c.tensors()) w = std::max(w, t.name.size());
    for (const auto& t : c.tensors()) {
        std::string name = t.name;
        name.resize(w, ' ');
        std::string type(dtypeName(t.dtype));
        type.resize(8, ' ');
        std::string shape = shapeText(t.shape);
        shape.resize(18, ' ');
        std::cout << "  " << name << "  " << type << shape << "  " << t.bytes << '\n';
    }
    return 0;
}

namespace {

int usage(const std::string& what)
{
    std::cerr << "condense-cli: error: " << what << '\n';
    return 2;
}

std::string supportedTypes()
{
    std::string r;
    for (const auto& m : plan::mixes()) r += (r.empty() ? "" : ", ") + std::string(m.name);
    return r;
}

void printPlan(const plan::QuantPlan& p)
{
    std::size_t w = 6;
    for (const auto& t : p.tensors) w = std::max(w, t.name.size());
    std::string head = "tensor";
    head.resize(w, ' ');
    std::cout << head << "  " << "ne                    input  type        bytes  reason\n";
    for (const auto& t : p.tensors) {
        std::string name = t.name;
        name.resize(w, ' ');
        std::string ne = "[";
        for (std::size_t i = 0; i < t.ne.size(); ++i) ne += (i ? ", " : "") + std::to_string(t.ne[i]);
        ne += "]";
        char line[512];
        std::snprintf(line, sizeof line, "%s  %-20s  %-5s  %-6s %12llu  %s\n", name.c_str(), ne.c_str(),
                      std::string(dtypeName(t.inputType)).c_str(), std::string(dtypeName(t.type)).c_str(),
                      static_cast<unsigned long long>(t.bytes()), messageText(t.reason).c_str());
        std::cout << line;
    }
    std::map<DType, std::pair<std::size_t, std::uint64_t>> perType;
    for (const auto& t : p.tensors) {
        perType[t.type].first += 1;
        perType[t.type].second += t.bytes();
    }
    std::cout << "\nper type:\n";
    for (const auto& [type, v] : perType) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-8s %5zu tensors %12s\n", std::string(dtypeName(type)).c_str(), v.first, humanBytes(v.second).c_str());
        std::cout << line;
    }
    char total[256];
    std::snprintf(total, sizeof total, "\ntotal: %zu tensors, %llu bytes (%s), %.4f bits/weight; input %s; mix %s (file_type %u)%s\n",
                  p.tensors.size(), static_cast<unsigned long long>(p.totalBytes()), humanBytes(p.totalBytes()).c_str(), p.bitsPerWeight(),
                  humanBytes(p.totalInputBytes()).c_str(), p.mix.c_str(), p.fileType,
                  p.fallbacks() ? (", " + std::to_string(p.fallbacks()) + " shape fallback(s)").c_str() : "");
    std::cout << total;
}

// Turns SIGINT/SIGTERM into a stop request for the running job, so an interrupted conversion
// cleans up its temporary file like a cancelled one. The signals are blocked in this thread
// before the job starts its worker threads (which inherit the mask) and taken by sigtimedwait
// on a watcher thread; the previous mask is restored afterwards.
class InterruptToStop {
public:
    InterruptToStop()
    {
        sigemptyset(&m_set);
        sigaddset(&m_set, SIGINT);
        sigaddset(&m_set, SIGTERM);
        m_blocked = ::pthread_sigmask(SIG_BLOCK, &m_set, &m_old) == 0;
        if (!m_blocked) return;
        m_watcher = std::jthread([this](std::stop_token done) {
            const timespec tick{0, 100 * 1000 * 1000};
            while (!done.stop_requested()) {
                if (::sigtimedwait(&m_set, nullptr, &tick) > 0) {
                    m_interrupted = true;
                    m_source.request_stop();
                    return;
                }
            }
        });
    }
    ~InterruptToStop()
    {
        if (m_watcher.joinable()) {
            m_watcher.request_stop();
            m_watcher.join();
        }
        if (m_blocked) ::pthread_sigmask(SIG_SETMASK, &m_old, nullptr);
    }
    std::stop_token token() const { return m_source.get_token(); }
    bool interrupted() const { return m_interrupted; }

private:
    sigset_t m_set{};
    sigset_t m_old{};
    bool m_blocked = false;
    std::atomic<bool> m_interrupted{false};
    std::stop_source m_source;
    std::jthread m_watcher;
};

int failOrInterrupted(const Error& e, const InterruptToStop& stop)
{
    if (stop.interrupted() && e.code == ErrorCode::Cancelled) {
        std::cerr << "condense-cli: interrupted; nothing was written\n";
        return 130;
    }
    return fail(e);
}

void printWarnings(const std::vector<Message>& warnings)
{
    for (const auto& w : warnings) std::cerr << "condense-cli: warning: " << messageText(w) << '\n';
}

} // namespace

namespace {

int runHfQuantize(const QuantizeOptions& o, bool progressToTty)
{
    if (o.output.empty()) return usage("--output FOLDER is required for --format " + o.format);
    if (o.typeGiven) return usage("--type names GGUF types; --format " + o.format + " takes --bits and --group");
    if (o.dryRun || o.json || !o.plan.empty() || !o.planOut.empty() || !o.imatrix.empty() || !o.tensorTypes.empty() ||
        !o.outputTensorType.empty() || !o.tokenEmbeddingType.empty() || o.pure || o.leaveOutputTensor)
        return usage("--dry-run, --json, --plan, --plan-out, --imatrix, --tensor-type, --output-tensor-type, "
                     "--token-embedding-type, --pure and --leave-output-tensor go with --format gguf");
    pipeline::QuantizeRequest req;
    req.input = o.input;
    req.output = o.output;
    req.threads = o.threads;
    req.format = o.format;
    req.method = o.method;
    req.bits = o.bits;
    req.group = o.group;
    if (o.sym) req.symmetric = true;
    if (o.asym) req.symmetric = false;
    req.actOrder = o.actOrder;
    req.calibration = o.calibration;
    req.calibrationTokens = o.calibrationTokens;
    // The request's checks are usage errors (nothing was opened yet).
    if (auto e = pipeline::hfExportRequest(req); !e) return usage(e.error().detail);

    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    InterruptToStop interrupt;
    auto r = pipeline::runQuantize(req, sink, interrupt.token());
    if (!r) return failOrInterrupted(r.error(), interrupt);
    printWarnings(r->warnings);
    char line[256];
    std::snprintf(line, sizeof line, ": %s (%s), %llu linears quantized, %llu tensors in %llu file%s, %s\n", r->formatLabel.c_str(),
                  r->method.c_str(), static_cast<unsigned long long>(r->quantizedLinears), static_cast<unsigned long long>(r->tensors),
                  static_cast<unsigned long long>(r->shards), r->shards == 1 ? "" : "s", humanBytes(r->fileBytes).c_str());
    std::cout << "wrote " << r->output.string() << line;
    return 0;
}

} // namespace

int runQuantize(const QuantizeOptions& o, bool progressToTty)
{
    if (o.format != "gguf") return runHfQuantize(o, progressToTty);
    if (o.bitsGiven || o.sym || o.asym || o.actOrder)
        return usage("--bits, --group, --sym, --asym and --act-order go with --format gptq|awq|compressed-tensors");
    if (!o.method.empty() && o.method != "rtn" && o.method != "imatrix" && o.method != "gptq")
        return usage("--method " + o.method + " for GGUF types is not built yet (rtn, imatrix with --imatrix, or gptq)");
    if (o.method == "gptq" && !o.imatrix.empty()) return usage("--method gptq computes its own statistics from --calibration: drop --imatrix");
    if (o.method != "gptq" && o.method != "imatrix" && (!o.calibration.empty() || o.calibrationTokens > 0))
        return usage("--calibration and --calibration-tokens go with --method gptq or imatrix for GGUF types");
    if (o.method == "imatrix" && !o.calibration.empty() && !o.imatrix.empty())
        return usage("--calibration computes the importance matrix: drop --imatrix (or --calibration)");
    if (o.method == "imatrix" && o.imatrix.empty() && o.calibration.empty())
        return usage("--method imatrix needs --imatrix FILE or --calibration SET|FILE");
    if (o.method == "rtn" && !o.imatrix.empty()) return usage("--method rtn quantizes without an importance matrix: drop --imatrix");
    if (o.json && !o.dryRun) return usage("--json goes with --dry-run (use --plan-out FILE to save the plan of a real run)");
    if (o.output.empty() && !o.dryRun) return usage("--output is required (unless --dry-run)");
    if (!o.plan.empty() && (!o.tensorTypes.empty() || !o.outputTensorType.empty() || !o.tokenEmbeddingType.empty() || o.pure ||
                            o.leaveOutputTensor))
        return usage("--plan fixes every tensor's type: it cannot be combined with --tensor-type, --output-tensor-type, "
                     "--token-embedding-type, --pure or --leave-output-tensor");

    pipeline::QuantizeRequest req;
    req.input = o.input;
    req.output = o.output;
    req.type = o.type;
    req.threads = o.threads;
    req.pure = o.pure;
    req.leaveOutputTensor = o.leaveOutputTensor;
    req.dryRun = o.dryRun;
    req.planFile = o.plan;
    req.planOut = o.planOut;
    req.imatrix = o.imatrix;
    req.imatrixLabel = o.imatrix; // as llama-quantize: the path as given
    req.method = o.method;
    req.calibration = o.calibration;
    req.calibrationTokens = o.calibrationTokens;
    if (o.plan.empty() && !pipeline::isFloatType(o.type) && !plan::findMix(o.type))
        return usage("--type " + o.type + ": unsupported output type (supported: " + supportedTypes() + ")");
    for (const auto& tt : o.tensorTypes) {
        auto ov = pipeline::parseTensorTypeOverride(tt);
        if (!ov) return usage("--tensor-type " + ov.error().detail);
        req.overrides.push_back(std::move(*ov));
    }
    if (!o.outputTensorType.empty()) {
        req.outputTensorType = pipeline::writableType(o.outputTensorType);
        if (!req.outputTensorType) return usage("--output-tensor-type " + o.outputTensorType + ": cannot write that type");
    }
    if (!o.tokenEmbeddingType.empty()) {
        req.tokenEmbeddingType = pipeline::writableType(o.tokenEmbeddingType);
        if (!req.tokenEmbeddingType) return usage("--token-embedding-type " + o.tokenEmbeddingType + ": cannot write that type");
    }

    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    InterruptToStop interrupt;
    auto r = pipeline::runQuantize(req, sink, interrupt.token());
    if (!r) return failOrInterrupted(r.error(), interrupt);
    printWarnings(r->warnings);
    if (r->dryRun) {
        if (o.json) std::cout << plan::toJson(*r->plan) << '\n';
        else printPlan(*r->plan);
        return 0;
    }
    if (r->conversion) {
        std::cout << "wrote " << r->output.string() << ": " << r->tensors << " tensors, " << humanBytes(r->fileBytes) << '\n';
        return 0;
    }
    char line[256];
    std::snprintf(line, sizeof line, ": %zu tensors, %s, %.4f bits/weight (%s)\n", r->plan->tensors.size(), humanBytes(r->fileBytes).c_str(),
                  r->plan->bitsPerWeight(), r->plan->mix.c_str());
    std::cout << "wrote " << r->output.string() << line;
    if (r->method == "gptq")
        std::printf("GPTQ: %lld linears by error-compensated rounding, %lld by weighted rounding; calibration %s, %lld chunks of %lld tokens\n",
                    static_cast<long long>(r->gptqTensors), static_cast<long long>(r->fallbackTensors), r->calibrationLabel.c_str(),
                    static_cast<long long>(r->calibrationChunks), static_cast<long long>(r->calibrationCtx));
    if (r->method == "gptq")
        std::printf("GPTQ stages: %.1f s (forward %.1f s, Hessians and cross matrices %.1f s, quantizing %.1f s, re-runs %.1f s), "
                    "writing %.1f s\n",
                    r->gptqSeconds, r->forwardSeconds, r->statisticsSeconds, r->quantizeSeconds, r->rerunSeconds, r->writeSeconds);
    return 0;
}

int runCalibrate(const CalibrateOptions& o, bool progressToTty)
{
    pipeline::CalibrateRequest req;
    req.model = o.model;
    req.set = o.set;
    req.ctx = o.ctx;
    req.tokenBudget = o.tokens;
    req.output = o.output;
    req.threads = o.threads;

    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    InterruptToStop interrupt;
    auto r = pipeline::runCalibrate(req, sink, interrupt.token());
    if (!r) return failOrInterrupted(r.error(), interrupt);
    char line[256];
    std::snprintf(line, sizeof line, ": %zu weights, %lld chunks of %lld tokens (text: %lld tokens), %s, %.1f s\n", r->entries,
                  static_cast<long long>(r->chunks), static_cast<long long>(r->chunkSize), static_cast<long long>(r->textTokens),
                  humanBytes(r->fileBytes).c_str(), r->seconds);
    std::cout << "wrote " << r->output.string() << line;
    return 0;
}

} // namespace condense::cli
