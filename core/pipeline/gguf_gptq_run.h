#pragma once
// GPTQ inside a GGUF mix: the calibration half of `quantize --type MIX --method gptq`.
//
// Given a model and the plan of the mix it is quantized to (quantize_job.h planQuantization:
// the same types and sizes as the round-to-nearest file), runGgufGptq
//   1. loads the model into the engine and its tokenizer, reads the calibration source
//      (calibration_set.h: a bundled set's calibration split or a user file / folder, never the
//      held-out split) and cuts it into chunks of `ctx` tokens, at most `tokens` of them;
//   2. runs model::quantizeBlockByBlock (sequential mode: quantized earlier blocks feed the
//      next), the output matrix too when the plan quantizes an untied output.weight, with a
//      per-linear hook that quantizes the weight to the plan's type for that tensor:
//      quant::ggufGptqQuantize (damping 0.1 of mean diag H, raised in steps of 0.05 when the
//      Hessian is not positive definite: warning GptqDampingRaised); a type it does not cover,
//      or a Hessian still not positive definite, goes to quant::quantizeRows with importance
//      diag(H) / tokens (warnings GptqTypeFallback / GptqRtnFallback);
//   3. parks every linear's bytes by GGUF name in a spill file (io/spill_file.h: an unlinked
//      temporary file in spillFolder, so the ~0.6 GB of a 1.1B model's quantized linears are
//      not held in memory until the writer runs), rows in the order of the GGUF file the job
//      writes (llama-arch attn_q / attn_k: permuted for ggml's NORM RoPE, as the converter
//      does), for QuantizeConfig::precomputed.
// A linear whose planned type is a float type (or equals its input type) is left to the job.
// With embeddingGptq (off by default: the GGUF GPTQ contract so far, and its test, keep token_embd
// byte for byte the mix's; measured below), an untied token_embd of a type the sweep covers is quantized first by
// quant::ggufGptqQuantize on model/embedding_metric.h's metric (block 0's view of an embedding
// error: a property of the weights, no calibration text), installed as the session's token_embd
// so the blocks calibrate on its rows, and kept like the linears; the vectors (and a tied
// token_embd) are never calibrated: the job writes them as the mix does.
// With pairedInputs (asymmetric calibration, GPTQv2 / GPTAQ; on by default), each block also runs
// on the original model's hidden states, and every linear aims at the original model's outputs
// given the quantized model's inputs (block_quantizer.h pairedInputs, gptq_ggml.h's cross
// matrix), the correction shrunk by n / (n + asymmetryShrink * cols) for n calibration tokens.
// Cost: a second copy of the calibration hidden states (kept as F16, block_capture.h: 256 MiB at
// TinyLlama-1.1B's width and 128 x 512 tokens), one more block run per chunk and block, and a
// cols^2 cross matrix beside each site's Hessian (paired_input_accumulator.h), which the last
// linear of its site consumes (gptq_ggml.h's consuming overload).
//
// Progress: Stage::Calibrating only, done/total a job-wide fraction (per million) of the block
// run (block_quantizer.h's cost model), item "blk.<l>" / "output". A stop request ends the run
// within one block over one batch (ErrorCode::Cancelled); nothing is written here at all.
//
// Measured (condense-cli, 2 threads on a loaded 2-core machine; calibration: the general set,
// 128 x 512 tokens; evaluation: its held-out text, ctx 512, protocol B; KLD against the
// original, imatrix RTN = --method imatrix on the same chunks; same tensor types and sizes).
// Session 4: the plain sweep. Now: the defaults above (paired inputs with shrink 4, two
// refinement passes, token_embd as the mix):
//   model           mix     imatrix-RTN KLD  GPTQ KLD (session 4 -> now)  ratio (goal)        GPTQ wall now
//   tiny-llama-spm  Q4_K_M  0.01899          0.01263 -> 0.01090           0.665 -> 0.574 (.65) 100 s
//                   Q3_K_M  0.06019          0.04198 -> 0.03514           0.697 -> 0.584 (.6)  123 s
//                   Q2_K    0.23977          0.17048 -> 0.13843           0.711 -> 0.577 (.6)  113 s
//   small-qwen2-bpe Q4_K_M  0.00541          0.00205 -> 0.00191           0.378 -> 0.353       367 s
//                   Q3_K_M  0.01504          0.00501 -> 0.00456           0.333 -> 0.303       286 s
//                   Q2_K    0.05626          0.01786 -> 0.01838           0.317 -> 0.327       440 s
// With embeddingGptq as well (before the shrink and refinement), tiny-llama: 0.513 / 0.486 / 0.458.
// Session 6 (same defaults; D by packed tiles, the F16 original stream), tiny-llama:
//   Q4_K_M 0.010871 (0.572), Q3_K_M 0.035229 (0.585), Q2_K 0.138000 (0.576); small-qwen2-bpe
//   Q4_K_M 0.001887 (0.349), Q3_K_M 0.004750 (0.316), Q2_K 0.018568 (0.330).
//
// At TinyLlama-1.1B's shape (synthetic F16 GGUF cut to 4 of its 22 blocks, the head unchanged;
// 128 x 512 tokens of general; 2 threads): 2028 s in all, forward 276 s, Hessians and cross
// matrices 408 s, quantizing 1239 s, re-runs 105 s: per block about 127 s of forward and
// statistics, 270 s quantizing and 26 s re-run, the head about 335 s, so about 2.7 h for all 22
// blocks, two thirds of it the per-block scale search. Peak anonymous memory 1894 MiB (sampled every 0.1 s): the streams 768 MiB, one
// block's Hessians and cross matrices 677 MiB, and ffn_down's quantizer step.

// Errors name the file: a model the engine cannot run (its loader's error), a calibration text
// shorter than one chunk (the source's label), a context above the model's positions.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/message.h"
#include "core/common/result.h"
#include "core/io/spill_file.h"
#include "core/jobs/progress.h"
#include "core/plan/quant_plan.h"
#include "core/quant/gptq_ggml.h"

namespace condense::io {
class Checkpoint;
}

namespace condense::pipeline {

inline constexpr std::int64_t kGgufGptqDefaultCtx = 512;     // tokens per chunk (capped by the model's positions)
inline constexpr std::int64_t kGgufGptqDefaultChunks = 128;  // default budget: 128 chunks (128 x 512 tokens)

struct GgufGptqRunConfig {
    std::string calibration = "general"; // bundled set name or a path
    std::int64_t tokens = 0;             // token budget (whole chunks); 0: kGgufGptqDefaultChunks x ctx
    std::int64_t ctx = 0;                // tokens per chunk; 0: kGgufGptqDefaultCtx, capped by the model's positions
    int threads = 0;
    // Where the quantized linears wait for the writer (an unlinked temporary file,
    // io/spill_file.h): the output's folder, which needs room for them beside the output file
    // (about the output's size); empty: the system's temporary folder.
    std::filesystem::path spillFolder;
    // Asymmetric calibration (GPTQv2 / GPTAQ, block_quantizer.h pairedInputs): every linear aims
    // at the original model's outputs given the quantized model's inputs.
    bool pairedInputs = true;
    // The correction's shrinkage: each linear's asymmetry is quant::ggufGptqAsymmetry(its
    // Hessian's tokens, cols, asymmetryShrink) (n / (n + 4 cols): 0.96 for tiny-llama's ffn_down
    // at 128 x 512 tokens, 0.25 at 8 x 128).
    double asymmetryShrink = 4.0;
    // An untied token_embd of a type the sweep covers goes through GPTQ with
    // model/embedding_metric.h's metric (block 0's view of an embedding error; no activations),
    // and the calibration runs on it; false: the job writes it as the mix does.
    bool embeddingGptq = false;
    quant::GgufGptqOptions options = defaultOptions();

    static quant::GgufGptqOptions defaultOptions()
    {
        quant::GgufGptqOptions o;
        o.percDamp = 0.1;       // measured best (gptq_ggml bench)
        o.dampIncrement = 0.05; // raised while the Hessian is not positive definite
        o.refinePasses = 2;     // coordinate descent on codes and sub-block scales after the sweep
        return o;
    }
};

struct GgufGptqRun {
    std::shared_ptr<const io::SpillFile> tensors; // GGUF name -> the tensor's data (QuantizeConfig::precomputed)
    std::vector<Message> warnings;              // fallbacks and raised damping, by tensor
    std::string calibrationLabel;               // "general (bundled)" or the path as given
    std::int64_t ctx = 0;
    std::int64_t chunks = 0;
    std::int64_t tokens = 0;                    // chunks x ctx
    std::int64_t gptqTensors = 0;               // linears quantized by the GPTQ sweep
    std::int64_t fallbackTensors = 0;           // linears quantized by weighted rounding
    double seconds = 0;
    // Wall time of the block-by-block run's stages (model/block_quantizer.h BlockQuantizeStats):
    // forward = block runs with the observers' time taken out (the original and the observed
    // runs), statistics = inside the observers (Hessians and cross matrices), quantize = the
    // per-block quantizer steps, rerun = the re-runs with the quantized weights.
    double forwardSeconds = 0, statisticsSeconds = 0, quantizeSeconds = 0, rerunSeconds = 0;
};

Result<GgufGptqRun> runGgufGptq(std::shared_ptr<const io::Checkpoint> checkpoint, const plan::QuantPlan& plan,
                                const GgufGptqRunConfig& config, jobs::ProgressSink& progress, std::stop_token stop = {});

} // namespace condense::pipeline
