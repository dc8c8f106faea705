// condense_calibrate_bench: `condense-cli calibrate` (the importance matrix, a forward pass with
// the per-column sum of x^2 of every linear's input) on the synthetic TinyLlama-1.1B-shaped F16
// GGUF of the quantization benchmark (tests/support/synthetic_gguf.h, made once into bench-data/),
// given a made-up SentencePiece vocabulary so text tools run on it (a second file, made once:
// the same tensors plus tokenizer.* keys). With LLAMA_IMATRIX=/path/to/llama-imatrix the same
// file, text, context and chunk count also go through llama-imatrix (--no-ppl: ours computes no
// perplexity either) in the same run; the table then shows both medians and the ratio.
//
//   condense_calibrate_bench [--chunks N] [--ctx N] [--threads N] [--repeat N] [--text FILE]
//
// Defaults: 4 chunks of 512 tokens, 2 threads, 3 repeats, the bundled `general` calibration text
// (resources/calibration/general.txt). Each run is a child process (wait4: wall time, user+system
// CPU time, peak RSS); the model file is read once before timing so every run starts from the
// page cache. The machine may be shared: CPU time is printed beside the wall time. After the
// runs, both imatrix files are compared (entry names, counts, max relative difference of the
// per-column means), which shows that both tools saw the same tokens. The vocabulary: <unk>,
// <s>, </s>, the 256 byte tokens, the printable ASCII characters with and without the word-start
// mark, then lowercase pairs and triples (with and without the mark) until nVocab; every piece
// has its own score, so the merge order is never a tie. Build Release for meaningful figures.
// Not a test: not registered with ctest.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "tests/bench/child_run.h"

#include "core/io/gguf_file.h"
#include "core/io/gguf_writer.h"
#include "core/jobs/progress.h"
#include "tests/support/synthetic_gguf.h"

namespace fs = std::filesystem;
using namespace condense;

namespace {

using Run = condense::bench::ChildRun;
using condense::bench::runChild;

void readWhole(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    std::vector<char> buf(8 << 20);
    while (f.read(buf.data(), static_cast<std::streamsize>(buf.size())) || f.gcount() > 0) {
    }
}

double median(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The made-up SentencePiece vocabulary described at the top, as tokenizer.* keys.
void addVocabulary(io::GgufWriter& w, std::uint32_t nVocab)
{
    std::vector<std::string> tokens = {"<unk>", "<s>", "</s>"};
    std::vector<std::int32_t> types = {2, 3, 3}; // unknown, control, control
    char hex[8];
    for (int b = 0; b < 256; ++b) {
        std::snprintf(hex, sizeof hex, "<0x%02X>", b);
        tokens.emplace_back(hex);
        types.push_back(6); // byte
    }
    const std::string mark = "\xe2\x96\x81"; // U+2581, the word-start mark
    std::vector<std::string> pieces = {mark};
    for (char c = 0x21; c < 0x7f; ++c) pieces.emplace_back(1, c);
    for (char c = 0x21; c < 0x7f; ++c) pieces.push_back(mark + c);
    std::vector<std::string> pairs, triples;
    for (char a = 'a'; a <= 'z'; ++a)
        for (char b = 'a'; b <= 'z'; ++b) {
            pairs.push_back(std::string{a, b});
            for (char c = 'a'; c <= 'z'; ++c) triples.push_back(std::string{a, b, c});
        }
    for (const auto& p : pairs) pieces.push_back(p);
    for (const auto& p : pairs) pieces.push_back(mark + p);
    for (const auto& p : triples) pieces.push_back(p);
    for (const auto& p : triples) pieces.push_back(mark + p);
    for (std::size_t i = 0; tokens.size() < nVocab; ++i) {
        tokens.push_back(i < pieces.size() ? pieces[i] : "<unused" + std::to_string(i) + ">");
        types.push_back(i < pieces.size() ? 1 : 5); // normal, unused
    }
    tokens.resize(nVocab);
    types.resize(nVocab);
    std::vector<float> scores(nVocab);
    for (std::uint32_t i = 0; i < nVocab; ++i) scores[i] = -static_cast<float>(i);
    w.set("tokenizer.ggml.model", io::GgufValue::string("llama"));
    w.set("tokenizer.ggml.pre", io::GgufValue::string("default"));
    w.set("tokenizer.ggml.tokens", io::GgufValue::stringArray(std::move(tokens)));
    w.set("tokenizer.ggml.scores", io::GgufValue::f32Array(scores));
    w.set("tokenizer.ggml.token_type", io::GgufValue::i32Array(types));
    w.set("tokenizer.ggml.bos_token_id", io::GgufValue::u32(1));
    w.set("tokenizer.ggml.eos_token_id", io::GgufValue::u32(2));
    w.set("tokenizer.ggml.unknown_token_id", io::GgufValue::u32(0));
    w.set("tokenizer.ggml.add_bos_token", io::GgufValue::boolean(true));
    w.set("tokenizer.ggml.add_eos_token", io::GgufValue::boolean(false));
}

// `bare` with the vocabulary added, written to `out`. Returns "" or an error text.
std::string writeWithVocabulary(const fs::path& bare, const fs::path& out)
{
    auto src = io::GgufFile::open(bare);
    if (!src) return describe(src.error());
    const io::GgufFile& g = **src;
    io::GgufWriter w;
    for (const auto& kv : g.metadata()) w.set(kv.key, kv.value);
    const auto nVocab = g.getUInt("llama.vocab_size");
    if (!nVocab) return "no llama.vocab_size";
    addVocabulary(w, static_cast<std::uint32_t>(*nVocab));
    for (const auto& t : g.tensors()) {
        std::vector<std::uint64_t> ne(t.ne, t.ne + t.nDims);
        if (auto st = w.addTensor(t.name, t.type, ne); !st) return describe(st.error());
    }
    jobs::NullSink sink;
    auto r = w.write(
        out, [&](std::size_t k, io::TensorOutput& o) -> Status { return o.write(g.tensorData(k)); }, {}, sink);
    return r ? std::string() : describe(r.error());
}

struct Imatrix {
    std::map<std::string, std::vector<float>> means; // per-column sum of x^2 / count
    std::map<std::string, float> counts;
};

// An imatrix GGUF (llama-imatrix's layout: NAME.in_sum2 and NAME.counts, F32).
bool readImatrix(const fs::path& p, Imatrix& m)
{
    auto f = io::GgufFile::open(p);
    if (!f) return false;
    const io::GgufFile& g = **f;
    const std::string sum = ".in_sum2", cnt = ".counts";
    for (std::size_t k = 0; k < g.tensors().size(); ++k) {
        const auto& t = g.tensors()[k];
        if (t.type != DType::F32) continue;
        const auto data = g.tensorData(k);
        std::vector<float> v(data.size() / 4);
        std::memcpy(v.data(), data.data(), v.size() * 4);
        if (t.name.size() > sum.size() && t.name.ends_with(sum)) m.means[t.name.substr(0, t.name.size() - sum.size())] = std::move(v);
        else if (t.name.size() > cnt.size() && t.name.ends_with(cnt) && !v.empty())
            m.counts[t.name.substr(0, t.name.size() - cnt.size())] = v[0];
    }
    for (auto& [name, v] : m.means) {
        const float c = m.counts.count(name) ? m.counts[name] : 0.0f;
        if (c > 0)
            for (auto& x : v) x /= c;
    }
    return !m.means.empty();
}

void compareImatrices(const fs::path& ours, const fs::path& theirs)
{
    Imatrix a, b;
    if (!readImatrix(ours, a) || !readImatrix(theirs, b)) {
        std::printf("imatrix comparison: cannot read %s or %s\n", ours.c_str(), theirs.c_str());
        return;
    }
    std::size_t shared = 0, columns = 0, countsDiffer = 0;
    double worst = 0;
    std::string worstName;
    for (const auto& [name, va] : a.means) {
        const auto it = b.means.find(name);
        if (it == b.means.end() || it->second.size() != va.size()) continue;
        ++shared;
        if (a.counts[name] != b.counts[name]) ++countsDiffer;
        for (std::size_t i = 0; i < va.size(); ++i) {
            const double x = va[i], y = it->second[i];
            const double d = std::fabs(x - y) / std::max({std::fabs(x), std::fabs(y), 1e-30});
            ++columns;
            if (d > worst) worst = d, worstName = name + "[" + std::to_string(i) + "]";
        }
    }
    std::printf("imatrix comparison: ours %zu entries, llama-imatrix %zu, %zu in both (%zu columns), counts differ in %zu; "
                "max relative difference of the column means %.3g (%s)\n",
                a.means.size(), b.means.size(), shared, columns, countsDiffer, worst, worstName.c_str());
}

} // namespace

int main(int argc, char** argv)
{
    int chunks = 4, ctx = 512, threads = 2, repeat = 3;
    fs::path text = CONDENSE_CALIBRATION_TEXT;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--chunks" && i + 1 < argc) chunks = std::max(1, std::atoi(argv[++i]));
        else if (a == "--ctx" && i + 1 < argc) ctx = std::max(16, std::atoi(argv[++i]));
        else if (a == "--threads" && i + 1 < argc) threads = std::max(1, std::atoi(argv[++i]));
        else if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
        else if (a == "--text" && i + 1 < argc) text = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--chunks N] [--ctx N] [--threads N] [--repeat N] [--text FILE]\n", argv[0]);
            return 2;
        }
    }
    const fs::path dataDir = CONDENSE_BENCH_DATA_DIR;
    const fs::path cli = CONDENSE_CLI_PATH;
    fs::create_directories(dataDir);
    const fs::path bare = dataDir / "tinyllama-1.1b-synthetic-F16.gguf"; // the quantization benchmark's file
    const fs::path input = dataDir / "tinyllama-1.1b-synthetic-vocab-F16.gguf";
    if (!fs::exists(input)) {
        if (!fs::exists(bare)) {
            std::printf("generating %s (once) ...\n", bare.c_str());
            std::fflush(stdout);
            test::SyntheticLlama s;
            s.nEmbd = 2048, s.nHead = 32, s.nHeadKv = 4, s.nFf = 5632, s.nLayer = 22, s.nVocab = 32000, s.seed = 11;
            s.name = "TinyLlama-1.1B synthetic";
            if (const std::string err = test::writeSyntheticLlama(bare, s); !err.empty()) {
                std::fprintf(stderr, "cannot write %s: %s\n", bare.c_str(), err.c_str());
                return 1;
            }
        }
        std::printf("adding a vocabulary: %s (once) ...\n", input.c_str());
        std::fflush(stdout);
        if (const std::string err = writeWithVocabulary(bare, input); !err.empty()) {
            std::fprintf(stderr, "cannot write %s: %s\n", input.c_str(), err.c_str());
            return 1;
        }
    }
    if (!fs::is_regular_file(text)) {
        std::fprintf(stderr, "no calibration text %s\n", text.c_str());
        return 1;
    }
    const char* llama = std::getenv("LLAMA_IMATRIX");
    std::printf("model: %s (%.1f MB)\ntext: %s\n%d chunks x %d tokens, %d threads, %d repeats\ncondense-cli: %s\nllama-imatrix: %s\n\n",
                input.c_str(), static_cast<double>(fs::file_size(input)) / 1e6, text.c_str(), chunks, ctx, threads, repeat, cli.c_str(),
                llama ? llama : "(not set)");
    readWhole(input);

    const fs::path ours = dataDir / "calibrate-bench-condense.imatrix.gguf";
    const fs::path theirs = dataDir / "calibrate-bench-llama.imatrix.gguf";
    const std::vector<std::string> oursArgv = {cli.string(), "calibrate", input.string(), "--set", text.string(),
                                               "--tokens", std::to_string(static_cast<long>(chunks) * ctx), "--ctx", std::to_string(ctx),
                                               "--threads", std::to_string(threads), "-o", ours.string()};
    std::vector<std::string> theirArgv;
    if (llama)
        theirArgv = {llama, "-m", input.string(), "-f", text.string(), "-c", std::to_string(ctx), "--chunks", std::to_string(chunks),
                     "-t", std::to_string(threads), "--no-ppl", "-o", theirs.string()};

    std::vector<double> oWall, oCpu, lWall, lCpu;
    long oRss = 0, lRss = 0;
    std::printf("%-14s %3s %9s %9s %9s\n", "tool", "run", "wall s", "cpu s", "RSS MB");
    for (int k = 0; k < repeat; ++k) {
        // Alternate the tools so a change in the machine's load falls on both.
        const Run o = runChild(oursArgv, dataDir / "calibrate-bench-condense.log");
        if (!o.ok) {
            std::printf("condense-cli calibrate failed (see %s)\n", (dataDir / "calibrate-bench-condense.log").c_str());
            return 1;
        }
        std::printf("%-14s %3d %9.2f %9.2f %9.0f\n", "condense-cli", k + 1, o.wall, o.cpu, static_cast<double>(o.maxRssKb) / 1024.0);
        oWall.push_back(o.wall), oCpu.push_back(o.cpu), oRss = std::max(oRss, o.maxRssKb);
        if (llama) {
            const Run l = runChild(theirArgv, dataDir / "calibrate-bench-llama.log");
            if (!l.ok) {
                std::printf("llama-imatrix failed (see %s)\n", (dataDir / "calibrate-bench-llama.log").c_str());
                return 1;
            }
            std::printf("%-14s %3d %9.2f %9.2f %9.0f\n", "llama-imatrix", k + 1, l.wall, l.cpu, static_cast<double>(l.maxRssKb) / 1024.0);
            lWall.push_back(l.wall), lCpu.push_back(l.cpu), lRss = std::max(lRss, l.maxRssKb);
        }
        std::fflush(stdout);
    }
    const double tokens = static_cast<double>(chunks) * ctx;
    std::printf("\nmedian condense-cli calibrate: %.2f s wall (%.0f tokens/s), %.2f s CPU, peak RSS %.0f MB\n", median(oWall),
                tokens / median(oWall), median(oCpu), static_cast<double>(oRss) / 1024.0);
    if (llama) {
        std::printf("median llama-imatrix:          %.2f s wall (%.0f tokens/s), %.2f s CPU, peak RSS %.0f MB\n", median(lWall),
                    tokens / median(lWall), median(lCpu), static_cast<double>(lRss) / 1024.0);
        std::printf("ratio llama-imatrix / condense-cli: %.2fx wall, %.2fx CPU (above 1: ours is faster)\n", median(lWall) / median(oWall),
                    median(lCpu) / median(oCpu));
        compareImatrices(ours, theirs);
        fs::remove(theirs);
    }
    fs::remove(ours);
    return 0;
}
