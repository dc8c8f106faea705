// condense_gptq_quality_bench: GPTQ over a whole model (model::quantizeBlockByBlock with the
// standard GptqLinearQuantizer) against round-to-nearest on the same grids, end to end: the
// perplexity of the original, RTN and GPTQ and the mean KL(original || quantized) on held-out
// text (the calibration set's held-out split, and a later part of eval/corpus-val.txt when
// --eval-file is given), plus the per-linear output error tr(dW H dW^T) of GPTQ and RTN on the
// Hessians the driver hands out (summed per role), which tells whether the per-layer algorithm
// does its job apart from the end-to-end effect.
//
//   condense_gptq_quality_bench MODEL [--set general] [--chunks 64] [--ctx 512] [--eval-chunks 16]
//       [--eval-file corpus-val.txt] [--bits 4] [--group 128] [--damp 0.01] [--skip 0]
//       [--act-order] [--static-groups] [--asym] [--mode block|true] [--threads 2]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/model/block_quantizer.h"
#include "core/model/gptq_linear_quantizer.h"
#include "core/model/model.h"
#include "core/model/owned_weight.h"
#include "core/model/session.h"
#include "core/pipeline/calibration_set.h"
#include "core/tokenizer/tokenizer.h"

using namespace condense;

namespace {

using Chunks = std::vector<std::vector<std::int32_t>>;

// Log-softmax rows of every chunk's logits (positions 0 .. n-2 predict 1 .. n-1).
struct Scores {
    double kld = 0, nll = 0;
    std::int64_t n = 0;
};

void logSoftmax(const float* z, std::int64_t vocab, std::vector<double>& out)
{
    double mx = z[0];
    for (std::int64_t k = 1; k < vocab; ++k) mx = std::max(mx, static_cast<double>(z[k]));
    double s = 0;
    for (std::int64_t k = 0; k < vocab; ++k) s += std::exp(z[k] - mx);
    out.resize(static_cast<std::size_t>(vocab));
    const double ls = std::log(s);
    for (std::int64_t k = 0; k < vocab; ++k) out[static_cast<std::size_t>(k)] = z[k] - mx - ls;
}

// Base log-probabilities kept (float) to compare every candidate with.
std::vector<std::vector<float>> baseLogProbs(model::Session& s, const Chunks& chunks)
{
    const std::int64_t vocab = s.model().dims().vocab;
    std::vector<std::vector<float>> out;
    std::vector<double> lp;
    for (const auto& c : chunks) {
        const auto t = static_cast<std::int64_t>(c.size());
        std::vector<float> logits(s.logitsSize(t, model::LogitsMode::All));
        s.reset();
        if (!s.eval(c, logits).ok()) std::abort();
        std::vector<float> rows(static_cast<std::size_t>((t - 1) * vocab));
        for (std::int64_t i = 0; i + 1 < t; ++i) {
            logSoftmax(logits.data() + i * vocab, vocab, lp);
            for (std::int64_t k = 0; k < vocab; ++k) rows[static_cast<std::size_t>(i * vocab + k)] = static_cast<float>(lp[static_cast<std::size_t>(k)]);
        }
        out.push_back(std::move(rows));
    }
    s.reset();
    return out;
}

Scores score(model::Session& s, const Chunks& chunks, const std::vector<std::vector<float>>& base)
{
    const std::int64_t vocab = s.model().dims().vocab;
    Scores sc;
    std::vector<double> lp;
    for (std::size_t ci = 0; ci < chunks.size(); ++ci) {
        const auto& c = chunks[ci];
        const auto t = static_cast<std::int64_t>(c.size());
        std::vector<float> logits(s.logitsSize(t, model::LogitsMode::All));
        s.reset();
        if (!s.eval(c, logits).ok()) std::abort();
        for (std::int64_t i = 0; i + 1 < t; ++i) {
            logSoftmax(logits.data() + i * vocab, vocab, lp);
            const float* a = base[ci].data() + i * vocab;
            for (std::int64_t k = 0; k < vocab; ++k)
                sc.kld += std::exp(static_cast<double>(a[k])) * (a[k] - lp[static_cast<std::size_t>(k)]);
            sc.nll -= lp[static_cast<std::size_t>(c[static_cast<std::size_t>(i + 1)])];
            ++sc.n;
        }
    }
    s.reset();
    return sc;
}

const model::WeightRole kRoles[] = {model::WeightRole::AttnQ,  model::WeightRole::AttnK, model::WeightRole::AttnV,
                                    model::WeightRole::AttnOutput, model::WeightRole::FfnGate, model::WeightRole::FfnUp,
                                    model::WeightRole::FfnDown};

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: condense_gptq_quality_bench MODEL [options]\n");
        return 2;
    }
    const std::string path = argv[1];
    std::string set = "general", evalFile, mode = "block";
    long chunks = 64, ctx = 512, evalChunks = 16, bits = 4, group = 128, skip = 0, threads = 2;
    double damp = 0.01;
    bool actOrder = false, staticGroups = false, asym = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
        if (a == "--set") set = next();
        else if (a == "--chunks") chunks = std::stol(next());
        else if (a == "--ctx") ctx = std::stol(next());
        else if (a == "--eval-chunks") evalChunks = std::stol(next());
        else if (a == "--eval-file") evalFile = next();
        else if (a == "--bits") bits = std::stol(next());
        else if (a == "--group") group = std::stol(next());
        else if (a == "--damp") damp = std::stod(next());
        else if (a == "--skip") skip = std::stol(next());
        else if (a == "--threads") threads = std::stol(next());
        else if (a == "--mode") mode = next();
        else if (a == "--act-order") actOrder = true;
        else if (a == "--static-groups") staticGroups = true;
        else if (a == "--asym") asym = true;
    }

    jobs::NullSink quiet;
    auto ck = io::openCheckpoint(path, quiet);
    if (!ck) {
        std::fprintf(stderr, "%s: %s\n", path.c_str(), describe(ck.error()).c_str());
        return 1;
    }
    auto m = model::loadModel(*ck);
    if (!m) return 1;
    auto tok = tokenizer::loadTokenizer(**ck);
    if (!tok) return 1;
    auto src = pipeline::loadCalibrationSource(set, pipeline::ChatStyle::Plain);
    if (!src) {
        std::fprintf(stderr, "%s\n", describe(src.error()).c_str());
        return 1;
    }
    auto calib = pipeline::calibrationChunks(**tok, src->calibration, src->parseSpecial, ctx, chunks * ctx, src->label);
    auto held = pipeline::calibrationChunks(**tok, src->heldOut, src->parseSpecial, ctx, evalChunks * ctx, src->label + " held out");
    if (!calib || !held) return 1;
    std::vector<std::pair<std::string, Chunks>> evals{{"held-out", *held}};
    if (!evalFile.empty()) {
        std::ifstream in(evalFile, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        // The second half: never in a calibration that reads the file's first part.
        auto c = pipeline::calibrationChunks(**tok, std::string_view(text).substr(text.size() / 2), false, ctx,
                                             evalChunks * ctx, evalFile);
        if (c) evals.emplace_back("corpus-val 2nd half", *c);
    }

    auto mk = [&] {
        auto s = model::Session::create(*m, {.nCtx = ctx, .maxBatch = 512, .threads = static_cast<int>(threads)});
        if (!s) std::abort();
        return std::move(*s);
    };
    quant::GptqOptions o;
    o.bits = static_cast<int>(bits);
    o.groupSize = group;
    o.symmetric = !asym;
    o.actOrder = actOrder;
    o.staticGroups = staticGroups;
    o.percDamp = damp;
    o.dampIncrement = 0.01;

    // Per-linear output error of GPTQ and RTN on the Hessian the driver hands out.
    std::mutex mu;
    std::map<int, std::pair<double, double>> errs; // role -> (gptq, rtn)
    model::GptqLinearQuantizer gptq(o);
    model::LinearQuantizer inner = gptq.quantizer();
    model::LinearQuantizer wrapped = [&](const model::LinearJob& job, std::stop_token stop) -> Result<std::vector<float>> {
        std::vector<double> h(job.hessian.begin(), job.hessian.end());
        model::LinearJob j = job;
        j.hessianOwned = nullptr;
        j.hessian = h;
        auto r = inner(j, stop);
        if (!r) return r;
        auto rtn = quant::rtnQuantize(job.weight, job.rows, job.cols, o);
        const double eg = quant::gptqOutputError(job.weight, *r, job.rows, job.cols, h);
        const double er = quant::gptqOutputError(job.weight, rtn->dequantized, job.rows, job.cols, h);
        std::lock_guard lock(mu);
        errs[static_cast<int>(job.role)].first += eg;
        errs[static_cast<int>(job.role)].second += er;
        return r;
    };
    model::BlockQuantizeOptions bo;
    bo.skipPositions = skip;
    bo.trueSequential = mode == "true";
    auto s = mk();
    auto st = model::quantizeBlockByBlock(*s, *calib, wrapped, bo, quiet);
    if (!st) {
        std::fprintf(stderr, "quantize: %s\n", describe(st.error()).c_str());
        return 1;
    }
    std::printf("%s: %zu x %ld calibration tokens (%s), %d bits g%ld %s%s%s damp %.3g skip %ld mode %s; %.1f s\n",
                path.c_str(), calib->size(), ctx, set.c_str(), o.bits, group, asym ? "asym" : "sym",
                actOrder ? " act-order" : "", staticGroups ? " static" : "", damp, skip, mode.c_str(), st->totalSeconds);
    std::printf("output error GPTQ/RTN per role:");
    for (auto& [r, e] : errs) std::printf(" %s %.3f", model::weightRoleName(static_cast<model::WeightRole>(r)), e.first / e.second);
    std::printf("\n");

    const model::Model& mm = **m;
    auto gs = mk();
    auto rs = mk();
    for (std::int64_t l = 0; l < static_cast<std::int64_t>(mm.layers().size()); ++l)
        for (model::WeightRole r : kRoles) {
            const model::WeightView& v = mm.layers()[static_cast<std::size_t>(l)].matrix(r);
            const std::int64_t heads = model::engineRowPermuteHeads(mm, r);
            if (heads != 0) {
                std::fprintf(stderr, "GGUF with permuted rows: use an HF folder\n");
                return 1;
            }
            const quant::GptqResult q = gptq.results().at(model::hfLinearName(mm, l, r)).unpack(true);
            auto w = model::OwnedWeight::fromFloats(DType::F32, q.rows, q.cols, q.dequantized);
            if (!gs->overrideWeight(l, r, *w).ok()) return 1;
            auto f = model::toFloats(v);
            auto rq = quant::rtnQuantize(*f, v.rows, v.cols, o);
            auto rw = model::OwnedWeight::fromFloats(DType::F32, v.rows, v.cols, rq->dequantized);
            if (!rs->overrideWeight(l, r, *rw).ok()) return 1;
        }
    auto base = mk();
    for (auto& [name, ch] : evals) {
        const auto bl = baseLogProbs(*base, ch);
        const Scores b = score(*base, ch, bl), r = score(*rs, ch, bl), g = score(*gs, ch, bl);
        auto ppl = [](const Scores& x) { return std::exp(x.nll / static_cast<double>(x.n)); };
        auto kld = [](const Scores& x) { return x.kld / static_cast<double>(x.n); };
        std::printf("%s (%lld tokens): PPL base %.3f RTN %.3f GPTQ %.3f; KLD RTN %.5f GPTQ %.5f (ratio %.3f)\n", name.c_str(),
                    static_cast<long long>(b.n), ppl(b), ppl(r), ppl(g), kld(r), kld(g), kld(g) / kld(r));
    }
    return 0;
}
