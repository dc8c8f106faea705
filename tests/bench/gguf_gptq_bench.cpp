// condense_gguf_gptq_bench: the quality check of GPTQ inside GGUF (core/quant/gptq_ggml.h) on a
// real model, until the whole-model GPTQ driver lands. For each llama-quantize mix asked for
// (default Q4_K_M, Q3_K_M, Q2_K), every tensor gets the mix's type (plan/mixes.h) and is
// quantized two ways, installed as session overrides, and compared with the original by the
// KL divergence of the next-token distributions on held-out text:
//   imatrix  llama-quantize with llama-imatrix's importance matrix: per-column mean of x^2 of
//            each block linear's inputs over the calibration chunks (what `condense-cli
//            calibrate` writes), our byte-identical quantizer with that importance; output and
//            token_embd without one (llama-imatrix leaves the output matrix out);
//   gptq     block by block in sequential mode (model/block_capture.h): the Hessians X^T X of
//            block l's inputs, with blocks < l already quantized, then every linear of block l
//            by ggufGptqQuantize; the output matrix from the head's Hessian (tied embeddings:
//            that tensor also serves as token_embd); token_embd (untied) as llama-quantize
//            does, before the capture, or with --embd-gptq by GPTQ on
//            model/embedding_metric.h's metric.
// Text: the model's tokens of the corpus (BOS added when the vocabulary adds it, every chunk
// starting with BOS as llama-imatrix and llama-perplexity do); calibration = the first
// --calib-chunks chunks of --ctx tokens, evaluation = --eval-chunks chunks after a gap of one
// chunk. KLD is averaged over every position of the evaluation chunks.
//
// Measured (2026-12-06, corpus-val.txt, 64 x 256 calibration tokens from the start, 32 x 256
// evaluation tokens after them; --importance inv --damp 0.1 --embd-gptq; KLD GPTQ / KLD imatrix):
//   tiny-llama-spm   Q4_K_M 0.633  Q3_K_M 0.655  Q2_K 0.626  (token_embd plain: 0.696 0.707 0.720)
//   small-qwen2-bpe  Q4_K_M 0.407  Q3_K_M 0.376  Q2_K 0.374  (tied: the head's Hessian)
// With 128 calibration chunks (so the evaluation text moves further into the corpus) the tiny
// model's ratios are 0.714 / 0.706 / 0.763: the gain depends on how close the evaluation text
// is to the calibration text.
//
// Measured (2026-12-06 later, tiny-llama-spm, calibration 64 x 256 of resources/calibration/
// general.txt, evaluation 48 x 256 of general.heldout.txt via --eval-corpus, --damp 0.1):
//   default sweep                         Q4_K_M 0.657  Q3_K_M 0.711  Q2_K 0.703
//   --paired 1                            Q4_K_M 0.609  Q3_K_M 0.614  Q2_K 0.589
//   --paired 1 --embd-gptq                Q4_K_M 0.564  Q3_K_M 0.588  Q2_K 0.529
//   --paired 1 --embd-gptq --refine 2     Q4_K_M 0.558                Q2_K 0.500
// demo model (resources/demo), 8 x 128 calibration tokens, 16 x 128 evaluation, Q4_K_M:
//   default 0.696, --embd-gptq 0.688, --paired 1 1.198 (overfits), --paired 0.25 0.659,
//   --paired 1 --paired-shrink 4 0.671.
//
//   condense_gguf_gptq_bench MODEL_DIR CORPUS [--mixes Q4_K_M,Q3_K_M,Q2_K] [--ctx 256]
//       [--calib-chunks 64] [--eval-chunks 32] [--importance diag|inv] [--damp 0.01]
//       [--mode sequential|original] [--threads 2] [--embd-gptq] [--keep-embd] [--passes N]
//       [--factors f1,f2,...] [--no-act-order] [--no-candidates] [--eval-corpus FILE] [--paired A] [--paired-shrink C] [--refine N]
// --eval-corpus: the evaluation chunks from the start of FILE (e.g. a set's held-out split).
// --paired A: asymmetric calibration (GPTQv2 / GPTAQ; model/paired_input_accumulator.h): every
//   block also runs on the original model's hidden states, and each linear aims at
//   W + A W D H^-1 (quant/gptq_ggml.h); token_embd is installed after the original stream's
//   embedding.
// --paired-shrink C: the asymmetry per tensor is A * n / (n + C cols), n calibration tokens
//   (quant::ggufGptqAsymmetry; the CLI path uses C = 4).
// --refine N: N passes of coordinate descent on codes and sub-block scales after the sweep
//   (GgufGptqOptions::refinePasses).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/io/json_file.h"
#include "core/jobs/progress.h"
#include "core/model/block_capture.h"
#include "core/model/column_square_sums.h"
#include "core/model/embedding_metric.h"
#include "core/model/hessian_accumulator.h"
#include "core/model/paired_input_accumulator.h"
#include "core/model/model.h"
#include "core/model/owned_weight.h"
#include "core/model/session.h"
#include "core/pipeline/plan_request.h"
#include "core/plan/mixes.h"
#include "core/quant/gptq_ggml.h"
#include "core/quant/quant_registry.h"
#include "core/tokenizer/tokenizer.h"

using namespace condense;

namespace {

using Clock = std::chrono::steady_clock;
using Chunks = std::vector<std::vector<std::int32_t>>;

[[noreturn]] void die(const std::string& what)
{
    std::fprintf(stderr, "gguf_gptq_bench: %s\n", what.c_str());
    std::exit(1);
}

template <typename T>
T take(Result<T> r, const std::string& what)
{
    if (!r) die(what + ": " + describe(r.error()));
    return std::move(*r);
}

void check(const Status& s, const std::string& what)
{
    if (!s) die(what + ": " + describe(s.error()));
}

double seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Options {
    std::string model, corpus;
    std::string evalCorpus; // evaluation chunks from the start of this file instead (e.g. a held-out split)
    std::vector<std::string> mixes{"Q4_K_M", "Q3_K_M", "Q2_K"};
    std::int64_t ctx = 256, calibChunks = 64, evalChunks = 32;
    quant::GgufGptqOptions gptq;
    model::CaptureMode mode = model::CaptureMode::Sequential;
    int threads = 2;
    bool keepEmbd = false; // diagnostics: token_embd stays the original in both variants
    bool embdGptq = false; // GPTQ variant: token_embd (untied) by GPTQ on embdMetric()
    bool paired = false;   // asymmetric calibration (--paired A: gptq.asymmetry = A)
    double pairedShrink = 0; // > 0: asymmetry A * n / (n + shrink * cols) per tensor (--paired-shrink)
};

model::LinearSite siteOf(model::WeightRole r)
{
    using model::WeightRole;
    switch (r) {
    case WeightRole::AttnQ:
    case WeightRole::AttnK:
    case WeightRole::AttnV: return model::LinearSite::AttnQKV;
    case WeightRole::AttnOutput: return model::LinearSite::AttnOut;
    case WeightRole::FfnGate:
    case WeightRole::FfnUp: return model::LinearSite::FfnGateUp;
    case WeightRole::FfnDown: return model::LinearSite::FfnDown;
    default: return model::LinearSite::Output;
    }
}

const model::WeightRole kBlockRoles[] = {model::WeightRole::AttnQ,      model::WeightRole::AttnK,
                                         model::WeightRole::AttnV,      model::WeightRole::AttnOutput,
                                         model::WeightRole::FfnGate,    model::WeightRole::FfnUp,
                                         model::WeightRole::FfnDown};

struct Bench {
    Options opt;
    std::shared_ptr<const model::Model> m;
    plan::QuantPlan plan; // of the mix being measured
    Chunks calib, eval;
    std::vector<std::vector<float>> baseLogProbs; // per eval chunk: tokens x vocab
    std::map<std::string, std::vector<float>> imatrix;
    std::int64_t vocab = 0;

    DType typeOf(const std::string& name) const
    {
        const auto i = plan.find(name);
        if (i < 0) die("the plan has no " + name);
        return plan.tensors[static_cast<std::size_t>(i)].type;
    }

    std::unique_ptr<model::Session> session() const
    {
        return take(model::Session::create(m, {.nCtx = opt.ctx, .maxBatch = opt.ctx, .threads = opt.threads}), "session");
    }

    static void logSoftmax(float* row, std::int64_t n)
    {
        const float mx = *std::max_element(row, row + n);
        double s = 0;
        for (std::int64_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(row[i] - mx));
        const auto ls = static_cast<float>(std::log(s));
        for (std::int64_t i = 0; i < n; ++i) row[i] = row[i] - mx - ls;
    }

    std::vector<float> logits(model::Session& s, const std::vector<std::int32_t>& ids) const
    {
        s.reset();
        std::vector<float> out(s.logitsSize(static_cast<std::int64_t>(ids.size()), model::LogitsMode::All));
        check(s.eval(ids, out), "eval");
        for (std::size_t t = 0; t < ids.size(); ++t) logSoftmax(out.data() + t * static_cast<std::size_t>(vocab), vocab);
        return out;
    }

    double kld(model::Session& s) const
    {
        double sum = 0;
        std::int64_t n = 0;
        for (std::size_t c = 0; c < eval.size(); ++c) {
            const auto cand = logits(s, eval[c]);
            const auto& base = baseLogProbs[c];
            for (std::size_t t = 0; t < eval[c].size(); ++t) {
                const float* p = base.data() + t * static_cast<std::size_t>(vocab);
                const float* q = cand.data() + t * static_cast<std::size_t>(vocab);
                double k = 0;
                for (std::int64_t i = 0; i < vocab; ++i)
                    k += std::exp(static_cast<double>(p[i])) * static_cast<double>(p[i] - q[i]);
                sum += k;
                ++n;
            }
        }
        return sum / static_cast<double>(n);
    }

    std::vector<float> original(std::int64_t layer, model::WeightRole role) const
    {
        const model::WeightView& v = layer < 0 ? (role == model::WeightRole::Output ? m->output() : m->tokenEmbedding())
                                               : m->layers()[static_cast<std::size_t>(layer)].matrix(role);
        return take(model::toFloats(v), "weights");
    }

    std::shared_ptr<const model::OwnedWeight> rtn(std::int64_t layer, model::WeightRole role, const float* importance) const
    {
        const auto w = original(layer, role);
        const std::string name = model::tensorName(layer, role);
        const DType type = typeOf(name);
        const model::WeightView& v = layer < 0 ? (role == model::WeightRole::Output ? m->output() : m->tokenEmbedding())
                                               : m->layers()[static_cast<std::size_t>(layer)].matrix(role);
        const auto rowBytes = *dtypeBytes(type, static_cast<std::uint64_t>(v.cols), static_cast<std::uint64_t>(v.cols));
        std::vector<std::byte> bytes(rowBytes * static_cast<std::size_t>(v.rows));
        if (!quant::quantizeRows(type, w.data(), bytes.data(), v.rows, v.cols, importance)) die("quantize " + name);
        return take(model::OwnedWeight::fromBytes(type, v.rows, v.cols, bytes), name);
    }

    std::shared_ptr<const model::OwnedWeight> gptq(std::int64_t layer, model::WeightRole role, const std::vector<double>& h,
                                                   double& lossRatio, const std::vector<double>& cross = {}) const
    {
        const auto w = original(layer, role);
        const std::string name = model::tensorName(layer, role);
        const DType type = typeOf(name);
        const model::WeightView& v = layer < 0 ? (role == model::WeightRole::Output ? m->output() : m->tokenEmbedding())
                                               : m->layers()[static_cast<std::size_t>(layer)].matrix(role);
        if (!quant::ggufGptqSupports(type)) {
            std::vector<float> diag(static_cast<std::size_t>(v.cols));
            for (std::int64_t c = 0; c < v.cols; ++c) diag[static_cast<std::size_t>(c)] = static_cast<float>(h[static_cast<std::size_t>(c * v.cols + c)]);
            return rtn(layer, role, diag.data());
        }
        quant::GgufGptqOptions go = opt.gptq;
        if (opt.pairedShrink > 0) {
            std::int64_t tokens = 0;
            for (const auto& c : calib) tokens += static_cast<std::int64_t>(c.size());
            go.asymmetry *= quant::ggufGptqAsymmetry(tokens, v.cols, opt.pairedShrink);
        }
        auto r = take(quant::ggufGptqQuantize(type, w, v.rows, v.cols, h, cross, go), name);
        // The same tensor by imatrix RTN with diag(H), for the per-tensor loss ratio.
        std::vector<float> diag(static_cast<std::size_t>(v.cols));
        for (std::int64_t c = 0; c < v.cols; ++c) diag[static_cast<std::size_t>(c)] = static_cast<float>(h[static_cast<std::size_t>(c * v.cols + c)]);
        std::vector<std::uint8_t> rb(r.bytes.size());
        quant::quantizeRows(type, w.data(), rb.data(), v.rows, v.cols, diag.data());
        std::vector<float> rq(w.size());
        quant::dequantizeRows(type, rb.data(), rq.data(), v.rows, v.cols);
        double rl = 0;
        {
            // tr(dW H dW^T), naive: small models only.
            std::vector<double> d(static_cast<std::size_t>(v.cols));
            for (std::int64_t row = 0; row < v.rows; ++row) {
                for (std::int64_t c = 0; c < v.cols; ++c)
                    d[static_cast<std::size_t>(c)] = static_cast<double>(w[static_cast<std::size_t>(row * v.cols + c)]) - rq[static_cast<std::size_t>(row * v.cols + c)];
                for (std::int64_t i = 0; i < v.cols; ++i) {
                    double acc = 0;
                    const double* hr = h.data() + i * v.cols;
                    for (std::int64_t j = 0; j < v.cols; ++j) acc += hr[j] * d[static_cast<std::size_t>(j)];
                    rl += acc * d[static_cast<std::size_t>(i)];
                }
            }
        }
        lossRatio = r.loss / rl;
        return take(model::OwnedWeight::fromBytes(type, v.rows, v.cols, std::as_bytes(std::span(r.bytes))), name);
    }

    double runImatrix() const
    {
        auto s = session();
        for (std::size_t l = 0; l < m->layers().size(); ++l)
            for (auto role : kBlockRoles) {
                const auto it = imatrix.find(model::tensorName(static_cast<std::int64_t>(l), role));
                check(s->overrideWeight(static_cast<std::int64_t>(l), role,
                                        rtn(static_cast<std::int64_t>(l), role, it == imatrix.end() ? nullptr : it->second.data())),
                      "override");
            }
        installEmbeddings(*s);
        return kld(*s);
    }

    void installEmbeddings(model::Session& s) const
    {
        if (opt.keepEmbd) {
            if (!m->tiedEmbeddings())
                check(s.overrideWeight(-1, model::WeightRole::Output, rtn(-1, model::WeightRole::Output, nullptr)), "override output");
            return;
        }
        auto e = rtn(-1, model::WeightRole::TokenEmbd, nullptr);
        check(s.overrideWeight(-1, model::WeightRole::TokenEmbd, e), "override token_embd");
        if (m->tiedEmbeddings())
            check(s.overrideWeight(-1, model::WeightRole::Output, e), "override output");
        else
            check(s.overrideWeight(-1, model::WeightRole::Output, rtn(-1, model::WeightRole::Output, nullptr)), "override output");
    }

    double runGptq(std::vector<double>& ratios) const
    {
        auto s = session();
        auto install = [&](model::Session& sess) -> Status {
            installEmbeddings(sess); // token_embd as llama-quantize writes it; the output is replaced below
            if (opt.embdGptq && !opt.keepEmbd && !m->tiedEmbeddings()) {
                double ratio = 0;
                CONDENSE_TRY(sess.overrideWeight(-1, model::WeightRole::TokenEmbd,
                                                 gptq(-1, model::WeightRole::TokenEmbd, take(model::embeddingErrorMetric(*m), "metric"), ratio)));
                std::printf("  token_embd by GPTQ on block 0's metric: loss ratio %.3f\n", ratio);
            }
            return okStatus();
        };
        model::PairedInputAccumulator acc;
        model::CaptureOptions co;
        co.mode = opt.mode;
        co.includeOutput = true;
        if (opt.paired) {
            co.originalObserver = &acc.originalSide();
            co.afterOriginalEmbed = install;
        } else {
            check(install(*s), "embeddings");
        }
        co.afterBlock = [&](std::int64_t layer, model::Session& sess) -> Status {
            if (layer < 0) {
                auto h = acc.take(-1, model::LinearSite::Output);
                auto cross = acc.takeCross(-1, model::LinearSite::Output);
                double ratio = 0;
                const auto role = m->tiedEmbeddings() ? model::WeightRole::TokenEmbd : model::WeightRole::Output;
                auto w = gptq(-1, role, h, ratio, cross);
                ratios.push_back(ratio);
                CONDENSE_TRY(sess.overrideWeight(-1, model::WeightRole::Output, w));
                if (m->tiedEmbeddings() && !opt.keepEmbd) CONDENSE_TRY(sess.overrideWeight(-1, model::WeightRole::TokenEmbd, w));
                return okStatus();
            }
            std::map<int, std::vector<double>> hs, cs;
            for (auto role : kBlockRoles) {
                const auto site = siteOf(role);
                if (!hs.count(static_cast<int>(site))) {
                    hs[static_cast<int>(site)] = acc.take(layer, site);
                    cs[static_cast<int>(site)] = acc.takeCross(layer, site);
                }
                double ratio = 0;
                CONDENSE_TRY(sess.overrideWeight(layer, role, gptq(layer, role, hs[static_cast<int>(site)], ratio, cs[static_cast<int>(site)])));
                ratios.push_back(ratio);
            }
            acc.setLayers(layer + 1, layer + 1);
            return okStatus();
        };
        acc.setLayers(0, 0);
        // The head's site is layer -1: let the accumulator take it once the blocks are done.
        co.afterBlock = [inner = co.afterBlock, &acc, nLayers = static_cast<std::int64_t>(m->layers().size())](
                            std::int64_t layer, model::Session& sess) -> Status {
            CONDENSE_TRY(inner(layer, sess));
            if (layer == nLayers - 1) acc.setLayers(-1, -1);
            return okStatus();
        };
        jobs::NullSink sink;
        check(model::captureBlockByBlock(*s, calib, acc, co, sink), "capture");
        return kld(*s);
    }
};

} // namespace

int main(int argc, char** argv)
{
    Options opt;
    std::vector<std::string> pos;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) die("missing value after " + a);
            return argv[++i];
        };
        if (a == "--mixes") {
            opt.mixes.clear();
            std::stringstream ss(next());
            for (std::string t; std::getline(ss, t, ',');) opt.mixes.push_back(t);
        } else if (a == "--ctx") opt.ctx = std::stoll(next());
        else if (a == "--calib-chunks") opt.calibChunks = std::stoll(next());
        else if (a == "--eval-corpus") opt.evalCorpus = next();
        else if (a == "--eval-chunks") opt.evalChunks = std::stoll(next());
        else if (a == "--damp") opt.gptq.percDamp = std::stod(next());
        else if (a == "--threads") opt.threads = std::stoi(next());
        else if (a == "--keep-embd") opt.keepEmbd = true;
        else if (a == "--embd-gptq") opt.embdGptq = true;
        else if (a == "--refine") opt.gptq.refinePasses = std::stoi(next());
        else if (a == "--paired-shrink") opt.pairedShrink = std::stod(next());
        else if (a == "--paired") {
            opt.paired = true;
            opt.gptq.asymmetry = std::stod(next());
        }
        else if (a == "--passes") opt.gptq.subScalePasses = std::stoi(next());
        else if (a == "--no-act-order") opt.gptq.actOrder = false;
        else if (a == "--no-candidates") opt.gptq.scaleCandidates = false;
        else if (a == "--factors") {
            opt.gptq.scaleFactors.clear();
            std::stringstream ss(next());
            for (std::string t; std::getline(ss, t, ',');) opt.gptq.scaleFactors.push_back(std::stof(t));
        }
        else if (a == "--importance") {
            const std::string v = next();
            opt.gptq.importance = v == "inv" ? quant::GgufGptqImportance::InverseFactor : quant::GgufGptqImportance::HessianDiagonal;
        } else if (a == "--mode") opt.mode = next() == "original" ? model::CaptureMode::Original : model::CaptureMode::Sequential;
        else pos.push_back(a);
    }
    if (pos.size() != 2) die("usage: condense_gguf_gptq_bench MODEL_DIR CORPUS [options]");
    opt.model = pos[0];
    opt.corpus = pos[1];

    Bench b;
    b.opt = opt;
    jobs::NullSink sink;
    auto ck = take(io::openCheckpoint(opt.model, sink), opt.model);
    b.m = take(model::loadModel(ck), opt.model);
    auto tok = take(tokenizer::loadTokenizer(*ck), "tokenizer");
    b.vocab = static_cast<std::int64_t>(b.m->spec().vocabSize);
    std::string text = take(io::readTextFile(opt.corpus, 64u << 20), opt.corpus);
    const auto ids = tok->encode(text, true, false);
    std::vector<std::int32_t> evalIds;
    if (!opt.evalCorpus.empty()) evalIds = tok->encode(take(io::readTextFile(opt.evalCorpus, 64u << 20), opt.evalCorpus), true, false);
    const std::int64_t need = (opt.calibChunks + (opt.evalCorpus.empty() ? 1 + opt.evalChunks : 0)) * opt.ctx;
    if (static_cast<std::int64_t>(ids.size()) < need) die("corpus too short: " + std::to_string(ids.size()) + " tokens");
    if (static_cast<std::int64_t>(evalIds.size()) < (opt.evalCorpus.empty() ? 0 : opt.evalChunks * opt.ctx))
        die("evaluation corpus too short: " + std::to_string(evalIds.size()) + " tokens");
    auto chunkOf = [&](const std::vector<std::int32_t>& from, std::int64_t k) {
        std::vector<std::int32_t> c(from.begin() + k * opt.ctx, from.begin() + (k + 1) * opt.ctx);
        if (tok->addBos()) c[0] = tok->bosId();
        return c;
    };
    for (std::int64_t k = 0; k < opt.calibChunks; ++k) b.calib.push_back(chunkOf(ids, k));
    for (std::int64_t k = 0; k < opt.evalChunks; ++k)
        b.eval.push_back(opt.evalCorpus.empty() ? chunkOf(ids, opt.calibChunks + 1 + k) : chunkOf(evalIds, k));
    std::printf("model %s: %zu tokens, calibration %lld x %lld, evaluation %lld x %lld, importance %s, damp %.3g, %s\n",
                opt.model.c_str(), ids.size(), static_cast<long long>(opt.calibChunks), static_cast<long long>(opt.ctx),
                static_cast<long long>(opt.evalChunks), static_cast<long long>(opt.ctx),
                opt.gptq.importance == quant::GgufGptqImportance::InverseFactor ? "1/U_cc^2" : "diag(H)", opt.gptq.percDamp,
                opt.mode == model::CaptureMode::Sequential ? "sequential" : "original");

    auto t0 = Clock::now();
    {
        auto s = b.session();
        for (const auto& c : b.eval) b.baseLogProbs.push_back(b.logits(*s, c));
    }
    std::printf("base logits: %.1f s\n", seconds(t0));

    t0 = Clock::now();
    {
        // The imatrix: llama-imatrix's per-column mean of x^2 over the calibration chunks.
        auto s = b.session();
        model::ColumnSquareSums sums;
        s->setObserver(&sums);
        model::EvalOptions prefill;
        prefill.logits = model::LogitsMode::None;
        for (const auto& c : b.calib) {
            s->reset();
            check(s->eval(c, {}, prefill), "imatrix pass");
        }
        s->setObserver(nullptr);
        for (std::size_t l = 0; l < b.m->layers().size(); ++l)
            for (auto role : kBlockRoles) {
                const auto sums2 = sums.sums(static_cast<std::int64_t>(l), siteOf(role));
                const auto count = static_cast<float>(sums.tokens(static_cast<std::int64_t>(l), siteOf(role)));
                std::vector<float> v(sums2.size());
                for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(sums2[i]) / count;
                b.imatrix[model::tensorName(static_cast<std::int64_t>(l), role)] = std::move(v);
            }
    }
    std::printf("imatrix: %.1f s\n", seconds(t0));

    auto pm = take(pipeline::readPlanModel(opt.model, sink), "plan model");
    auto facts = take(plan::modelFacts(pm.spec, pm.label), "facts");
    std::printf("%-8s %12s %12s %7s %10s\n", "mix", "KLD imatrix", "KLD GPTQ", "ratio", "loss med");
    for (const auto& mixName : opt.mixes) {
        plan::MixOptions mo;
        mo.mix = plan::findMix(mixName);
        if (!mo.mix) die("unknown mix " + mixName);
        mo.haveImatrix = true;
        b.plan = take(plan::planMix(pm.tensors, facts, mo), "plan");
        std::map<std::string, int> counts;
        for (const auto& t : b.plan.tensors)
            if (t.ne.size() >= 2) ++counts[t.name.rfind("blk.", 0) == 0 ? std::string(dtypeName(t.type)) : t.name + ":" + std::string(dtypeName(t.type))];
        std::string summary;
        for (const auto& [k, v] : counts) summary += " " + k + " x" + std::to_string(v);
        std::printf("%s:%s\n", mixName.c_str(), summary.c_str());
        t0 = Clock::now();
        const double kImatrix = b.runImatrix();
        const double tI = seconds(t0);
        t0 = Clock::now();
        std::vector<double> ratios;
        const double kGptq = b.runGptq(ratios);
        const double tG = seconds(t0);
        std::sort(ratios.begin(), ratios.end());
        std::printf("%-8s %12.6f %12.6f %7.3f %10.3f   (imatrix %.1f s, gptq %.1f s)\n", mixName.c_str(), kImatrix, kGptq,
                    kGptq / kImatrix, ratios[ratios.size() / 2], tI, tG);
        std::fflush(stdout);
    }
    return 0;
}
