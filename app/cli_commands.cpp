#include "app/cli_commands.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>

#include "core/io/checkpoint.h"
#include "core/io/gguf_convert.h"
#include "core/report/inspect_report.h"

namespace condense::cli {

namespace {

int fail(const Error& e)
{
    std::cerr << "condense-cli: error: " << (e.file.empty() ? std::string("-") : e.file) << ": " << describe(e) << '\n';
    return 1;
}

std::string humanBytes(std::uint64_t b)
{
    char buf[32];
    if (b >= 1000ull * 1000 * 1000) std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(b) / 1e9);
    else if (b >= 1000ull * 1000) std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b) / 1e6);
    else if (b >= 1000ull) std::snprintf(buf, sizeof buf, "%.1f kB", static_cast<double>(b) / 1e3);
    else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
    return buf;
}

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

// Prints "stage item done/total" on one rewritten stderr line when attached to a terminal.
class TerminalProgress final : public jobs::ProgressSink {
public:
    explicit TerminalProgress(bool enabled) : m_enabled(enabled) {}
    ~TerminalProgress() override
    {
        if (m_enabled && m_dirty) std::fputs("\r\033[K", stderr);
    }
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view item) override
    {
        if (!m_enabled) return;
        const int pct = total ? static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)) : 0;
        std::fprintf(stderr, "\r\033[K%s %3d%% %.*s", jobs::stageName(stage), pct, static_cast<int>(item.size()), item.data());
        std::fflush(stderr);
        m_dirty = true;
    }

private:
    bool m_enabled;
    bool m_dirty = false;
};

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
    auto ck = io::openCheckpoint(o.path, sink);
    if (!ck) return fail(ck.error());
    const io::Checkpoint& c = **ck;
    if (o.json) {
        std::cout << report::inspectJson(c) << '\n';
        return 0;
    }
    const auto& s = c.spec();
    const std::uint64_t params = c.parameterCount();
    const std::uint64_t bytes = c.totalTensorBytes();
    std::cout << "file:          " << c.path().string() << '\n'
              << "format:        " << io::checkpointFormatName(c.format()) << '\n'
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

int runQuantize(const QuantizeOptions& o, bool progressToTty)
{
    const auto type = dtypeFromName(o.type);
    if (!type || (*type != DType::F32 && *type != DType::F16 && *type != DType::BF16)) {
        std::cerr << "condense-cli: error: --type " << o.type << ": unsupported output type (supported: F32, F16, BF16)\n";
        return 2;
    }
    TerminalProgress term(progressToTty);
    jobs::ThrottledSink sink(term);
    auto ck = io::openCheckpoint(o.input, sink);
    if (!ck) return fail(ck.error());
    io::ConvertConfig cfg;
    cfg.outType = *type;
    cfg.threads = o.threads;
    auto r = io::convertToGguf(**ck, o.output, cfg, sink);
    if (!r) return fail(r.error());
    for (const auto& w : r->warnings) std::cerr << "condense-cli: warning: " << w << '\n';
    std::cout << "wrote " << r->output.string() << ": " << r->tensors << " tensors, " << humanBytes(r->fileBytes) << '\n';
    return 0;
}

} // namespace condense::cli
