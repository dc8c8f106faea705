#pragma once
// quantizeBlockByBlock: calibration-based quantization of a whole model, one block at a time
// (GPTQ's sequential mode), generic over the per-linear quantizer. It is what GPTQ exports
// (GPTQ / compressed-tensors folders) and GPTQ inside ggml block formats both run; the caller
// brings a LinearQuantizer (gptq_linear_quantizer.h is the standard one) and keeps whatever
// payload its quantizer produces (codes, scales, ggml blocks).
//
// The run (captureBlockByBlock in Sequential mode, block_capture.h):
//   for l = 0 .. layers-1:
//     1. block l runs over every calibration chunk with a HessianAccumulator restricted to
//        layer l attached: X^T X of the inputs of its four sites (AttnQKV, AttnOut,
//        FfnGateUp, FfnDown; double, cols x cols, unscaled);
//     2. the quantizer is called once per linear of the block (attn_q, attn_k, attn_v share
//        the AttnQKV matrix, ffn_gate, ffn_up the FfnGateUp one), in parallel on oneTBB where
//        the memory budget allows (largest first; one at a time when one alone exceeds it);
//        each Hessian is freed when its last linear is done;
//     3. the weights it returns are installed as session overrides (Session::overrideWeight)
//        and block l runs again over the same inputs: these outputs feed block l + 1;
//     4. block l's overrides are dropped once that re-run is over (later blocks never run
//        block l again), so memory holds one block's Hessians and overrides at a time.
//   With trueSequential, steps 1-2 are done per group of linears sharing an
//   input, in block order: the observed run accumulates [q, k, v]'s site only, they are
//   quantized and installed; block l runs again (observed) and gives attn_output's Hessian
//   from those outputs; then [gate, up]; then [down]; then the re-run of step 3 (5 runs of
//   each block instead of 2; the Hessians of one site at a time). Each group is thus
//   calibrated on the outputs of the groups already quantized, as GPTQModel and AutoGPTQ do.
//   with includeOutput, the head runs last with the output matrix observed and the quantizer
//   is called for output.weight (nothing is installed: nothing runs after it). token_embd is
//   never calibrated. A model whose output is tied to token_embd has no output job.
//
// Orientation: LinearJob::weight is the checkpoint's own orientation as a Hugging Face folder
// stores it (rows = output features, HF row order): for a llama-arch GGUF, whose Q/K rows are
// stored permuted for ggml's NORM RoPE (arch/tensor_naming.h), the driver un-permutes attn_q /
// attn_k rows before the call and permutes the returned weight back before installing it. So
// a quantizer sees, and returns, exactly what an HF exporter writes, whatever the input file.
// The Hessian does not depend on row order. Weights are read from the Model (its mapped
// matrices, dequantized to float for a quantized GGUF), never from session overrides.
//
// Memory: the capture's hidden states (chunks x tokens x hidden floats) and one scratch chunk,
// one block's Hessians (TinyLlama: 338 MB; the last linear of a site may take its buffer,
// LinearJob::hessianOwned), the linears in flight (their float weight, plus what the quantizer
// holds: gptqQuantize about 2 n^2 doubles and rows x cols doubles at peak), one block's
// overrides as F32 (TinyLlama: 176 MB, held during its re-run and the next observed run), plus
// what the quantizer keeps. Measured (condense_gptq_bench, synthetic TinyLlama-1.1B F16, 2
// threads, GptqLinearQuantizer 4-bit g128): about 0.9 GB of anonymous memory at 8 x 512 tokens
// beyond the mapped model, 1.8 GB extrapolated to 128 x 512 tokens and 22 blocks with every
// result kept (1.3 GB when the results are streamed to an exporter). With pairedInputs the
// capture adds the original stream (as F16, block_capture.h) and a cols^2 cross matrix per site;
// the last linear of a site may consume its matrix (LinearJob::crossOwned).
//
// Progress (sink): Stage::Calibrating with done/total in tokens processed by block runs
// (observed runs and re-runs: chunks' tokens x (runs per block x layers + head), 5 runs per
// block with trueSequential, 2 without), Stage::Quantizing with
// done/total in linears quantized; the item is "blk.<l>" ("output" for the head). Each report
// is preceded by ProgressSink::overall(): one job-wide fraction from a cost model of the whole
// run (forward, Hessian and quantizer work, block by block), never going back, with its ETA.
// A stop request ends the run within the time of one block over one batch or one panel of a
// quantizer (ErrorCode::Cancelled); the session is left as it was on entry: no overrides of
// the quantized roles, its observer restored, position reset.
//
// Quality (4 bits, groups of 128, symmetric; GptqLinearQuantizer against round-to-nearest on
// the same grids; calibration 64 x 512 tokens of the bundled `general` set, skipPositions 0;
// evaluation 32 x 512 tokens (16352 predicted) of its held-out split, and of the second half
// of eval/corpus-val.txt, another domain; condense_gptq_quality_bench, both models as HF
// folders). "ao" = act-order, "st" = static groups, d = damping fraction:
//
//   model / options            held-out PPL base/RTN/GPTQ  KLD RTN/GPTQ     corpus-val PPL base/RTN/GPTQ  KLD RTN/GPTQ
//   tiny-llama-spm
//     block, d .01             113.15/114.89/114.55        .0457/.0259      40.89/41.80/41.80             .0383/.0324
//     block, d .01, 128 chunks 113.15/114.89/113.82        .0457/.0253      40.89/41.80/41.59             .0383/.0310
//     true-seq, d .01, 128 ch. 113.15/114.89/114.20        .0457/.0253      40.89/41.80/41.63             .0383/.0312
//     true-seq, ao, d .01      113.15/114.89/113.81        .0457/.0245      40.89/41.80/41.75             .0383/.0313
//     true-seq, ao st, d .01   113.15/114.89/114.20        .0457/.0245      40.89/41.80/41.82             .0383/.0313
//     true-seq, ao, d .1       113.15/114.89/113.50        .0457/.0250      40.89/41.80/41.71             .0383/.0296
//     block, ao, d .1          113.15/114.89/114.12        .0457/.0249      40.89/41.80/41.85             .0383/.0305
//     block, ao st, d .1 (*)   113.15/114.89/114.35        .0457/.0251      40.89/41.80/41.93             .0383/.0297
//   small-qwen2-bpe
//     block, d .01             189.69/191.54/190.39        .0148/.00481     67.64/68.54/68.14             .0133/.00745
//     true-seq, d .01          189.69/191.54/190.06        .0148/.00485     67.64/68.54/68.21             .0133/.00765
//     true-seq, ao, d .01      189.69/191.54/189.70        .0148/.00441     67.64/68.54/68.12             .0133/.00761
//     true-seq, ao, d .1       189.69/191.54/190.49        .0148/.00452     67.64/68.54/68.09             .0133/.00733
//     block, ao st, d .1 (*)   189.69/191.54/190.37        .0148/.00450     67.64/68.54/68.22             .0133/.00758
//   (*) the defaults: this driver's BlockQuantizeOptions{} with recommendedGptqOptions(4, 128)
//   (gptq_linear_quantizer.h). skipPositions 1 (the first token out of the Hessians) changed
//   nothing measurable (tiny-llama, 16 eval chunks: KLD ratio to RTN .561 vs .548 held-out,
//   .872 vs .868 corpus-val). Perplexity differences below about 0.5 are within the noise of
//   16k tokens; on tiny-llama's corpus-val the defaults' increase (+1.04) is RTN's (+0.91) or
//   slightly above, everywhere else below.
// GPTQ's KLD is 0.3-0.55x RTN's on text like the calibration's, 0.55-0.8x on another domain;
// its per-linear output error tr(dW H dW^T) is 0.33-0.62x RTN's for every role. The earlier
// "GPTQ no better than RTN" came from calibrating on the start of corpus-val.txt (another
// source than its second half) with 4096 tokens, evaluating perplexity on few tokens, and the
// natural-order sweep (without act-order), whose perplexity increase exceeds RTN's although its
// KLD is about halved (demo model, 128-token chunks: +2.15 against RTN's +1.29).
//
// Errors: chunks that do not fit (captureBlockByBlock's), a quantizer error (returned with its
// tensor set to the GGUF name), a returned weight of the wrong size (InvalidArgument).
//
//   model::GptqLinearQuantizer gptq(options);                // gptq_linear_quantizer.h
//   auto stats = model::quantizeBlockByBlock(session, chunks, gptq.quantizer(), {}, sink, stop);
//   // gptq.results(): per HF name, codes/scales/zeros/g_idx for the exporter

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/model/activation_observer.h"
#include "core/model/layer_weights.h"
#include "core/model/owned_weight.h"
#include "core/model/session.h"

namespace condense::model {

// One linear weight handed to the quantizer. Spans are valid during the call only.
struct LinearJob {
    std::int64_t layer = 0;            // block index; -1 for the output matrix
    WeightRole role = WeightRole::AttnQ;
    LinearSite site = LinearSite::AttnQKV;
    std::string hfName;                // "model.layers.3.self_attn.q_proj.weight" (the folder's own name when it is one)
    std::string ggufName;              // "blk.3.attn_q.weight"
    std::int64_t rows = 0;             // output features
    std::int64_t cols = 0;             // input features
    std::span<const float> weight;     // rows x cols, row-major, HF row order
    std::span<const double> hessian;   // cols x cols, X^T X of the site's calibration inputs
    std::int64_t tokens = 0;           // rows of X summed into the Hessian
    // Non-null when this is the last linear of its site: the quantizer may move the Hessian out
    // of it (e.g. quant::gptqQuantize's consuming overload, one cols^2 copy less at peak);
    // `hessian` is then invalid.
    std::vector<double>* hessianOwned = nullptr;
    // With BlockQuantizeOptions::pairedInputs: D = sum_t (x_orig,t - x_t) x_t^T (cols x cols,
    // row-major; paired_input_accumulator.h), x_orig the original model's input row of the
    // same token; empty otherwise.
    std::span<const double> cross;
    // Non-null when this is the last linear of its site: the quantizer may move D out of it
    // (quant::ggufGptqQuantize's consuming overload frees it before its factorisation); `cross`
    // is then invalid.
    std::vector<double>* crossOwned = nullptr;
};

// Returns the dequantized weight (rows x cols, HF row order) that the re-run uses, or an empty
// vector to keep the original. Called concurrently for different linears: must be thread-safe.
// Should honour `stop` (return ErrorCode::Cancelled).
using LinearQuantizer = std::function<Result<std::vector<float>>(const LinearJob& job, std::stop_token stop)>;

struct BlockQuantizeOptions {
    bool includeOutput = false;        // also quantize output.weight (GGUF types that do)
    // Bytes the linears in flight may hold together (estimate per linear: 2 cols^2 doubles +
    // rows x cols x 16 bytes, gptqQuantize's peak); at least one runs whatever its size.
    // 0: 768 MiB (TinyLlama: ffn_down runs beside attn_k or attn_v at most).
    std::uint64_t memoryBudget = 0;
    int threads = 0;                   // linears in flight at most; 0: the session's threads
    // Rows at positions below this (of every chunk) are left out of the Hessians: 1 leaves out
    // the first token, whose hidden state is an outlier (the attention sink) in many models.
    std::int64_t skipPositions = 0;
    // GPTQ's true-sequential mode (GPTQModel's and AutoGPTQ's default): inside a block,
    // [q, k, v] are quantized on the block's inputs, then the block runs again with them
    // installed to take attn_output's inputs, then [gate, up], then [down]: each group's
    // Hessian comes from the outputs of the groups already quantized. false (the default):
    // every linear of the block on the Hessians of one observed run with the original block
    // weights. Measured on both shared models (table above): the same quality within noise,
    // for 5 block runs instead of 2 (1.3x the wall time on small-qwen2-bpe).
    bool trueSequential = false;
    // Stop (successfully) after this block: later blocks are neither calibrated nor quantized
    // (-1: all). For benchmarks and tests; a real run quantizes every block.
    std::int64_t lastLayer = -1;
    // Asymmetric calibration (GPTQv2 / GPTAQ): the capture also runs every block on the ORIGINAL
    // model's hidden states (block_capture.h originalObserver), and each LinearJob carries the
    // cross matrix D of the original and quantized inputs, so the quantizer can aim at the
    // original model's outputs. Block mode only (with trueSequential: InvalidArgument). Costs a
    // second copy of the calibration hidden states, one more block run per chunk and block, and
    // a cols^2 D per site beside its Hessian.
    bool pairedInputs = false;
    // Installed as the session's token_embd for the run (the sequential stream's embeddings;
    // the original stream keeps the model's own), removed on return. nullptr: none.
    std::shared_ptr<const OwnedWeight> tokenEmbedding;
};

// What happened to one linear (the quantizer's own report holds its losses).
struct LinearRecord {
    std::int64_t layer = 0;
    WeightRole role = WeightRole::AttnQ;
    std::string ggufName;
    std::int64_t rows = 0, cols = 0;
    double seconds = 0;  // wall time of the quantizer call
    bool replaced = false; // the quantizer returned a weight
};

struct BlockQuantizeStats {
    std::int64_t layers = 0;          // blocks quantized
    std::int64_t chunks = 0;
    std::int64_t tokens = 0;          // calibration tokens (one pass)
    double forwardSeconds = 0;        // embedding and observed block runs, observer time excluded
    double hessianSeconds = 0;        // inside the Hessian accumulator
    double quantizeSeconds = 0;       // wall time of the per-block quantize steps (weights, quantizer calls, overrides)
    double rerunSeconds = 0;          // re-runs with the quantized weights
    double totalSeconds = 0;
    std::array<double, kBlockWeightRoles + 2> roleSeconds{}; // quantizer time summed per WeightRole (thread time)
    std::uint64_t peakHessianBytes = 0; // one block's Hessians
    std::vector<LinearRecord> linears;  // in completion order within each block, blocks in order
};

Result<BlockQuantizeStats> quantizeBlockByBlock(Session& session, std::span<const std::vector<std::int32_t>> chunks,
                                                const LinearQuantizer& quantizer, const BlockQuantizeOptions& options,
                                                jobs::ProgressSink& sink, std::stop_token stop = {});

// The Hugging Face name of a linear of the session's model: the checkpoint's own tensor name
// for a HF folder or safetensors file, the standard llama/qwen2 name for a GGUF
// ("model.layers.<l>.self_attn.q_proj.weight", "lm_head.weight").
std::string hfLinearName(const Model& model, std::int64_t layer, WeightRole role);

// Heads of the row permutation between HF and the engine's order for (role) of this model: 0
// when the engine holds HF order (HF folders, non-llama GGUFs), else the head count the llama
// Q/K permutation uses (heads for attn_q, kv heads for attn_k).
std::int64_t engineRowPermuteHeads(const Model& model, WeightRole role);

} // namespace condense::model
