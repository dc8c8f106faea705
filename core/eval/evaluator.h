#pragma once
// The evaluation job: a base model and candidates run side by side on the same tokens.
//
// Perplexity protocols (both drop the final partial chunk; chunks start from an empty cache):
//   A  (../shared/models/README.md, the transformers goldens): tokens of the text without special
//      tokens; chunks of n_ctx; every position 1..n_ctx-1 is scored from the logits before it.
//   B  (llama-perplexity, ../shared/reference/formats.md 5.1): tokens of the text with special
//      tokens (BOS first when the vocab adds one); needs >= 2 chunks; the first token of each
//      chunk is replaced by BOS when the vocab adds BOS; positions n_ctx/2+1..n_ctx-1 are scored.
// Per scored token, each candidate is compared with the base in lockstep (no logits file):
// KL(P_base || P_cand), whether the top tokens agree, and the candidate's own NLL and top-1.
// Per-layer drift: cosine similarity and relative L2 error of every block's output hidden state,
// candidate vs base, averaged over the tokens of the first `driftChunks` chunks.
// Multiple choice: llama.cpp's HellaSwag text format (6 lines per task: context, gold index,
// 4 endings; acc_norm: mean log-prob of each ending's tokens after the common prefix) and a
// built-in "continuation" task made deterministically from the evaluation text itself: the
// true next span of tokens against three spans taken from elsewhere in the text.

#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/eval/language_model.h"
#include "core/jobs/progress.h"

namespace condense::eval {

enum class PplProtocol : std::uint8_t { A, B };

struct EvalConfig {
    std::int64_t nCtx = 512;
    PplProtocol protocol = PplProtocol::B;
    std::int64_t maxChunks = 0;   // 0: all chunks
    std::int64_t driftChunks = 4; // chunks whose hidden states feed the per-layer drift (0: none)
    std::int64_t continuationTasks = 0; // built-in MC tasks (0: none)
    std::int64_t continuationContext = 48;
    std::int64_t continuationSpan = 12;
    std::int64_t hellaswagTasks = 0; // 0: all tasks in the file
};

// Tokenizes text; `addSpecial` adds BOS/EOS as the vocab asks.
using TokenizeFn = std::function<std::vector<std::int32_t>(std::string_view text, bool addSpecial)>;

struct EvalInput {
    std::string text;              // evaluation text
    std::string textLabel;         // file name, for reports and errors
    std::string hellaswag;         // contents of a HellaSwag-format file (empty: none)
    std::string hellaswagLabel;
    TokenizeFn tokenize;
    std::int32_t bosToken = -1;
    bool addBos = false;           // the vocab adds BOS (protocol B replaces each chunk's first token)
};

struct LayerDrift {
    int layer = 0;
    double cosine = 1;        // mean over tokens
    double relativeError = 0; // mean over tokens of |h_c - h_b| / |h_b|
};

struct ChunkStats {
    double nllSum = 0;
    std::uint64_t scored = 0;
    std::uint64_t top1 = 0;
    double kldSum = 0;
    std::uint64_t sameTop = 0;
};

struct McResult {
    std::string task;     // "hellaswag" | "continuation"
    std::uint64_t tasks = 0;
    std::uint64_t correct = 0;
    double accuracy() const { return tasks ? static_cast<double>(correct) / static_cast<double>(tasks) : 0; }
    double uncertainty() const; // binomial standard error
};

struct ModelEval {
    std::string label;
    bool isBase = false;
    std::uint64_t scored = 0;
    double meanNll = 0, nllUncertainty = 0;
    double ppl = 0, pplUncertainty = 0;
    double top1 = 0; // share of scored tokens whose argmax is the true next token
    // Against the base (zero for the base itself)
    double kldMean = 0, kldUncertainty = 0, kldMedian = 0, kldP90 = 0, kldP99 = 0, kldMax = 0;
    double sameTop = 1, sameTopUncertainty = 0;
    double lnPplRatio = 0; // mean ln(PPL(cand)/PPL(base))
    std::vector<ChunkStats> chunks;
    std::vector<LayerDrift> drift; // empty for the base
    std::vector<McResult> mc;
};

struct EvalResult {
    std::string textLabel;
    PplProtocol protocol = PplProtocol::B;
    std::int64_t nCtx = 0;
    std::int64_t chunks = 0;
    std::uint64_t textTokens = 0;
    std::vector<ModelEval> models; // base first
};

// Runs base and candidates (all must share the vocab). Reports Stage::Evaluating with
// done/total in chunks (item: model label). Cancellable between chunks.
Result<EvalResult> runEvaluation(const EvalInput& input, LanguageModel& base, const std::vector<LanguageModel*>& candidates,
                                 const EvalConfig& config, jobs::ProgressSink& progress, std::stop_token stop = {});

// The chunks of tokens a protocol evaluates (exposed for tests).
struct ChunkPlan {
    std::vector<std::vector<std::int32_t>> chunks; // tokens to feed (BOS-substituted for B)
    std::vector<std::vector<std::int32_t>> targets; // original tokens (what is predicted)
    std::int64_t firstScored = 0;                   // first position whose logits are used
};
Result<ChunkPlan> planChunks(const std::vector<std::int32_t>& tokens, const EvalConfig& config, const EvalInput& input);

// HellaSwag text format -> tasks; error when the line count is not a multiple of 6 or a gold
// index is not 0..3.
struct McTask {
    std::vector<std::int32_t> context;              // unused for text tasks
    std::vector<std::vector<std::int32_t>> endings; // full sequences (context + ending) per choice
    std::size_t gold = 0;
};
Result<std::vector<McTask>> parseHellaswag(std::string_view text, const std::string& label, const TokenizeFn& tokenize,
                                           std::int64_t maxTasks);
std::vector<McTask> makeContinuationTasks(const std::vector<std::int32_t>& tokens, std::int64_t nTasks,
                                          std::int64_t contextLen, std::int64_t spanLen);

} // namespace condense::eval
