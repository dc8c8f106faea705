// condense_model_bench: prompt-processing (pp) and generation (tg) speed of the forward pass on
// a GGUF, measured like llama-bench (../shared/reference/formats.md 5.3): pp = one batch of
// n_prompt random tokens (BOS first) from an empty cache, logits of the last token only;
// tg = n_gen single-token steps from an empty cache. Each repetition is timed on its own
// (decode calls only), a warm-up run comes first; the table shows mean ± standard deviation
// of the per-repetition tokens/s. With --llama-bench PATH (or LLAMA_BENCH=PATH in the
// environment) the same tests run through llama-bench and the ratio ours / llama.cpp is
// printed. With --observer each test also runs with a ColumnSquareSums activation observer
// attached (the imatrix statistic, session.h), repetitions alternating with the plain runs,
// and the observer's cost is printed twice: as the difference of the two runs' speeds, and
// as the time spent inside the observer over the rest of the forward pass of the same runs
// (robust to a busy machine).
//
//   condense_model_bench MODEL.gguf [-p 512] [-n 128] [-t 1,2] [-r 3] [--llama-bench PATH] [--observer]
//   condense_model_bench --make-synthetic OUT.gguf --template TOKENIZER.gguf
//       [--hidden 2048 --ff 5632 --layers 22 --heads 32 --kv-heads 4 --vocab 32000]
//   writes a randomly initialised F16 llama model of that shape (TinyLlama-1.1B by default)
//   with the tokenizer of the template GGUF padded to the vocabulary size.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/io/gguf_file.h"
#include "core/io/gguf_writer.h"
#include "core/model/column_square_sums.h"
#include "core/model/model.h"
#include "core/model/session.h"
#include "core/tensor/float_convert.h"

using namespace condense;

namespace {

struct Stats {
    double mean = 0, sd = 0;
};

Stats stats(const std::vector<double>& v)
{
    Stats s;
    if (v.empty()) return s;
    for (double x : v) s.mean += x;
    s.mean /= static_cast<double>(v.size());
    if (v.size() > 1) {
        for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
        s.sd = std::sqrt(s.sd / static_cast<double>(v.size() - 1));
    }
    return s;
}

std::vector<int> parseList(const std::string& s)
{
    std::vector<int> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) out.push_back(std::stoi(item));
    return out;
}

// ColumnSquareSums that also measures the time spent in its calls.
class TimedSquareSums : public model::ActivationObserver {
public:
    void observe(const model::LinearInput& in) override
    {
        const auto t0 = std::chrono::steady_clock::now();
        m_sums.observe(in);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    double seconds = 0;

private:
    model::ColumnSquareSums m_sums;
};

// One repetition: tokens/s of a pp run (nPrompt tokens in one batch) or a tg run (nGen steps).
double runOnce(const std::shared_ptr<const model::Model>& m, int threads, int nPrompt, int nGen, std::mt19937& rng,
               model::ActivationObserver* observer = nullptr)
{
    model::SessionConfig sc;
    sc.nCtx = std::max(nPrompt + nGen, 1);
    sc.threads = threads;
    auto s = model::Session::create(m, sc);
    if (!s) {
        std::cerr << describe(s.error()) << "\n";
        std::exit(1);
    }
    (*s)->setObserver(observer);
    const std::int64_t vocab = m->dims().vocab;
    const std::int32_t bos = m->spec().bosTokenId >= 0 ? static_cast<std::int32_t>(m->spec().bosTokenId) : 0;
    std::vector<float> logits(static_cast<std::size_t>(vocab));
    model::EvalOptions opt;
    opt.logits = model::LogitsMode::Last;
    using clock = std::chrono::steady_clock;
    if (nPrompt > 0) {
        std::vector<std::int32_t> toks(static_cast<std::size_t>(nPrompt));
        toks[0] = bos;
        for (std::size_t i = 1; i < toks.size(); ++i) toks[i] = static_cast<std::int32_t>(rng() % static_cast<unsigned>(vocab));
        const auto t0 = clock::now();
        auto st = (*s)->eval(toks, logits, opt);
        const double sec = std::chrono::duration<double>(clock::now() - t0).count();
        if (!st) {
            std::cerr << describe(st.error()) << "\n";
            std::exit(1);
        }
        return nPrompt / sec;
    }
    std::int32_t tok = bos;
    const auto t0 = clock::now();
    for (int i = 0; i < nGen; ++i) {
        auto st = (*s)->eval(std::span(&tok, 1), logits, opt);
        if (!st) {
            std::cerr << describe(st.error()) << "\n";
            std::exit(1);
        }
        tok = static_cast<std::int32_t>(rng() % static_cast<unsigned>(vocab));
    }
    return nGen / std::chrono::duration<double>(clock::now() - t0).count();
}

// llama-bench's mean t/s for one test, or a negative number when it fails.
double llamaBench(const std::string& exe, const std::string& model, int threads, int nPrompt, int nGen, int reps)
{
    const std::string cmd = exe + " -m '" + model + "' -t " + std::to_string(threads) + " -p " + std::to_string(nPrompt) +
                            " -n " + std::to_string(nGen) + " -r " + std::to_string(reps) + " -o json 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return -1;
    std::string out;
    char buf[4096];
    while (std::size_t k = fread(buf, 1, sizeof buf, p)) out.append(buf, k);
    pclose(p);
    try {
        const auto j = nlohmann::json::parse(out);
        for (const auto& t : j)
            if (t.at("n_prompt").get<int>() == nPrompt && t.at("n_gen").get<int>() == nGen) return t.at("avg_ts").get<double>();
    } catch (...) {
    }
    return -1;
}

int makeSynthetic(const std::string& out, const std::string& templ, std::int64_t hidden, std::int64_t ff, std::int64_t layers,
                  std::int64_t heads, std::int64_t kvHeads, std::int64_t vocab)
{
    auto tg = io::GgufFile::open(templ);
    if (!tg) {
        std::cerr << templ << ": " << describe(tg.error()) << "\n";
        return 1;
    }
    io::GgufWriter w;
    w.set("general.architecture", io::GgufValue::string("llama"));
    w.set("general.name", io::GgufValue::string("synthetic-llama"));
    w.set("llama.context_length", io::GgufValue::u32(2048));
    w.set("llama.embedding_length", io::GgufValue::u32(static_cast<std::uint32_t>(hidden)));
    w.set("llama.feed_forward_length", io::GgufValue::u32(static_cast<std::uint32_t>(ff)));
    w.set("llama.block_count", io::GgufValue::u32(static_cast<std::uint32_t>(layers)));
    w.set("llama.attention.head_count", io::GgufValue::u32(static_cast<std::uint32_t>(heads)));
    w.set("llama.attention.head_count_kv", io::GgufValue::u32(static_cast<std::uint32_t>(kvHeads)));
    w.set("llama.rope.freq_base", io::GgufValue::f32(10000.0f));
    w.set("llama.rope.dimension_count", io::GgufValue::u32(static_cast<std::uint32_t>(hidden / heads)));
    w.set("llama.attention.layer_norm_rms_epsilon", io::GgufValue::f32(1e-5f));
    w.set("llama.vocab_size", io::GgufValue::u32(static_cast<std::uint32_t>(vocab)));
    w.set("general.file_type", io::GgufValue::u32(1));
    for (const auto& kv : (*tg)->metadata()) {
        if (kv.key.rfind("tokenizer.", 0) != 0) continue;
        if (kv.key == "tokenizer.ggml.tokens") {
            auto toks = kv.value.strings();
            for (std::int64_t i = static_cast<std::int64_t>(toks.size()); i < vocab; ++i) toks.push_back("<extra_" + std::to_string(i) + ">");
            toks.resize(static_cast<std::size_t>(vocab));
            w.set(kv.key, io::GgufValue::stringArray(toks));
        } else if (kv.key == "tokenizer.ggml.scores") {
            std::vector<float> v;
            for (std::uint64_t i = 0; i < kv.value.size(); ++i) v.push_back(static_cast<float>(*kv.value.floatAt(i)));
            v.resize(static_cast<std::size_t>(vocab), -1000.0f);
            w.set(kv.key, io::GgufValue::f32Array(v));
        } else if (kv.key == "tokenizer.ggml.token_type") {
            std::vector<std::int32_t> v;
            for (std::uint64_t i = 0; i < kv.value.size(); ++i) v.push_back(static_cast<std::int32_t>(*kv.value.intAt(i)));
            v.resize(static_cast<std::size_t>(vocab), 1);
            w.set(kv.key, io::GgufValue::i32Array(v));
        } else {
            w.set(kv.key, kv.value);
        }
    }
    const std::uint64_t H = static_cast<std::uint64_t>(hidden), F = static_cast<std::uint64_t>(ff);
    const std::uint64_t hd = H / static_cast<std::uint64_t>(heads), kv = hd * static_cast<std::uint64_t>(kvHeads);
    const std::uint64_t V = static_cast<std::uint64_t>(vocab);
    auto add = [&](const std::string& n, DType t, std::vector<std::uint64_t> ne) {
        if (auto st = w.addTensor(n, t, ne); !st) {
            std::cerr << describe(st.error()) << "\n";
            std::exit(1);
        }
    };
    add("token_embd.weight", DType::F16, {H, V});
    add("output_norm.weight", DType::F32, {H});
    add("output.weight", DType::F16, {H, V});
    for (std::int64_t l = 0; l < layers; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        add(p + "attn_norm.weight", DType::F32, {H});
        add(p + "attn_q.weight", DType::F16, {H, H});
        add(p + "attn_k.weight", DType::F16, {H, kv});
        add(p + "attn_v.weight", DType::F16, {H, kv});
        add(p + "attn_output.weight", DType::F16, {H, H});
        add(p + "ffn_norm.weight", DType::F32, {H});
        add(p + "ffn_gate.weight", DType::F16, {H, F});
        add(p + "ffn_up.weight", DType::F16, {H, F});
        add(p + "ffn_down.weight", DType::F16, {F, H});
    }
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    jobs::NullSink sink;
    auto r = w.write(
        out,
        [&](std::size_t i, io::TensorOutput& o) -> Status {
            const io::GgufTensorInfo& t = w.tensors()[i];
            const std::uint64_t n = t.elements();
            if (t.type == DType::F32) {
                std::vector<float> v(n, 1.0f);
                return o.write(std::as_bytes(std::span(v)));
            }
            std::vector<std::uint16_t> v(std::min<std::uint64_t>(n, 1u << 20));
            for (std::uint64_t done = 0; done < n;) {
                const std::uint64_t k = std::min<std::uint64_t>(v.size(), n - done);
                for (std::uint64_t j = 0; j < k; ++j) v[j] = fp32ToFp16(normal(rng));
                if (auto st = o.write(std::as_bytes(std::span(v.data(), k))); !st) return st;
                done += k;
            }
            return okStatus();
        },
        {}, sink);
    if (!r) {
        std::cerr << describe(r.error()) << "\n";
        return 1;
    }
    std::cout << "wrote " << out << " (" << r->bytes << " bytes)\n";
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    std::string modelPath, llama, synth, templ;
    int nPrompt = 512, nGen = 128, reps = 3;
    bool observe = false;
    std::vector<int> threads{1, 2};
    std::int64_t hidden = 2048, ff = 5632, layers = 22, heads = 32, kvHeads = 4, vocab = 32000;
    if (const char* e = std::getenv("LLAMA_BENCH")) llama = e;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "missing value after " << a << "\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "-p") nPrompt = std::stoi(next());
        else if (a == "-n") nGen = std::stoi(next());
        else if (a == "-r") reps = std::stoi(next());
        else if (a == "-t") threads = parseList(next());
        else if (a == "--llama-bench") llama = next();
        else if (a == "--observer") observe = true;
        else if (a == "--make-synthetic") synth = next();
        else if (a == "--template") templ = next();
        else if (a == "--hidden") hidden = std::stoll(next());
        else if (a == "--ff") ff = std::stoll(next());
        else if (a == "--layers") layers = std::stoll(next());
        else if (a == "--heads") heads = std::stoll(next());
        else if (a == "--kv-heads") kvHeads = std::stoll(next());
        else if (a == "--vocab") vocab = std::stoll(next());
        else if (!a.empty() && a[0] == '-') {
            std::cerr << "unknown option " << a << "\n";
            return 2;
        } else modelPath = a;
    }
    if (!synth.empty()) {
        if (templ.empty()) {
            std::cerr << "--make-synthetic needs --template TOKENIZER.gguf\n";
            return 2;
        }
        return makeSynthetic(synth, templ, hidden, ff, layers, heads, kvHeads, vocab);
    }
    if (modelPath.empty()) {
        std::cerr << "usage: condense_model_bench MODEL.gguf [-p 512] [-n 128] [-t 1,2] [-r 3] [--llama-bench PATH] [--observer]\n";
        return 2;
    }
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(modelPath, sink);
    if (!ck) {
        std::cerr << modelPath << ": " << describe(ck.error()) << "\n";
        return 1;
    }
    auto m = model::loadModel(*ck);
    if (!m) {
        std::cerr << modelPath << ": " << describe(m.error()) << "\n";
        return 1;
    }
    std::printf("model %s: %.1f MiB of weights, kernels %s\n", modelPath.c_str(),
                static_cast<double>((*m)->weightBytes()) / (1024.0 * 1024.0), cpuLevelName((*m)->matmul().level()));
    std::printf("| threads | test  | condense t/s        | llama.cpp t/s | ratio |\n");
    std::printf("| ------: | ----- | ------------------: | ------------: | ----: |\n");
    std::mt19937 rng(42);
    for (int t : threads) {
        for (int which = 0; which < 2; ++which) {
            const int p = which == 0 ? nPrompt : 0, g = which == 0 ? 0 : nGen;
            if (p == 0 && g == 0) continue;
            TimedSquareSums sums;
            runOnce(*m, t, p, g, rng); // warm-up
            if (observe) runOnce(*m, t, p, g, rng, &sums);
            std::vector<double> v, vo;
            double observedSeconds = 0, inside = 0;
            for (int r = 0; r < reps; ++r) {
                v.push_back(runOnce(*m, t, p, g, rng));
                if (!observe) continue;
                sums.seconds = 0;
                vo.push_back(runOnce(*m, t, p, g, rng, &sums));
                observedSeconds += (p + g) / vo.back();
                inside += sums.seconds;
            }
            const Stats s = stats(v);
            const std::string name = which == 0 ? "pp" + std::to_string(p) : "tg" + std::to_string(g);
            double ref = -1;
            if (!llama.empty()) ref = llamaBench(llama, modelPath, t, p, g, reps);
            if (ref > 0)
                std::printf("| %7d | %-5s | %9.2f ± %7.2f | %13.2f | %5.2f |\n", t, name.c_str(), s.mean, s.sd, ref, s.mean / ref);
            else
                std::printf("| %7d | %-5s | %9.2f ± %7.2f | %13s | %5s |\n", t, name.c_str(), s.mean, s.sd, "-", "-");
            if (observe) {
                const Stats so = stats(vo);
                std::printf("| %7d | %-5s | %9.2f ± %7.2f | %13s | %5s |  with observer: %+.1f %% time, "
                            "%.1f %% inside it\n",
                            t, (name + "+o").c_str(), so.mean, so.sd, "-", "-", (s.mean / so.mean - 1.0) * 100.0,
                            100.0 * inside / (observedSeconds - inside));
            }
            std::fflush(stdout);
        }
    }
    return 0;
}
