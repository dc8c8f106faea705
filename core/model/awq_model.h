#pragma once
// runAwq: AWQ over a whole model, decoder block by decoder block, as AutoAWQ's
// AwqQuantizer.quantize runs it (casper-hansen/AutoAWQ awq/quantize/quantizer.py, awq/models/
// llama.py; ../shared/reference/formats.md 7.1). Per-linear arithmetic: core/quant/awq.h.
//
//   auto r = model::runAwq(model, chunks, {}, sink, stop);       // Result<AwqModelResult>
//   for (const AwqLinear& l : r->linears) exporter.add(l.hfName, l.quant);   // HF row order
//   for (const AwqVector& v : r->vectors) exporter.replace(v.hfName, v.values);
//   model::installAwq(session, *r);    // run the quantized model in our engine (eval, tests)
//
// Per block l (calibration chunks are fresh sequences, positions 0 ..):
//   1. block l runs over every chunk with the ORIGINAL weights; an observer takes per-channel
//      mean |x| of the four linear sites (MeanAbsActivations, all chunks) and records the site
//      inputs of the search chunks; the outputs are block l + 1's inputs (AutoAWQ: the next
//      layer's inputs come from the unquantized layer, not from the quantized one as in GPTQ).
//      This is captureBlockByBlock's Original mode, written out here because the self_attn
//      loss below needs the block's own inputs, which that driver does not hand out.
//   2. the scale of each scaling group is searched (awqSearchScales, alpha = k / 20) on the
//      original weights, all groups independently (AutoAWQ applies them only after all
//      searches):
//        attn_norm   -> attn_q, attn_k, attn_v   loss on the self_attn output
//        attn_v      -> attn_output              only when attn_v and attn_output have the same
//                                                shape (not for GQA); loss on attn_output's output
//        ffn_norm    -> ffn_gate, ffn_up         loss on the mlp output
//        ffn_up      -> ffn_down                 loss on ffn_down's output
//      Losses are mean squared differences against the outputs with the original weights, over
//      the recorded rows of the search chunks:
//        self_attn: our engine runs a whole block, not an attention module alone. The block
//          runs from its recorded inputs with q/k/v replaced (Session::overrideWeight) and the
//          attention output A' is taken at the attn_output site; the self_attn output is
//          W_o A' (o has no bias in these families), compared with W_o A of the original. This
//          is exactly AutoAWQ's module2inspect = self_attn (the MLP the block also runs is not
//          measured; it only costs time).
//        mlp: down(silu(gate x) * up x) computed here from the recorded ffn inputs (the engine's
//          own kernels); o and down: the linear's output on its recorded inputs.
//   3. fold (scale.py apply_scale): norm weight /= s; previous linear's rows (and bias) /= s;
//      the group's linear columns *= s; the recorded inputs of those linears /= s.
//   4. clipping search (awqSearchClip) for every linear but attn_q and attn_k, then clamp.
//   5. final pseudo-quantization (awqQuantize: f16 scales) of the seven linears.
//
// Output orientation: Hugging Face's. GGUF llama-arch files store attn_q / attn_k rows permuted
// (../shared/reference/formats.md 2.6); every per-row result (codes, scales, zeros,
// dequantized, folded) of those two is returned in HF row order, so an exporter writes it as
// is. AWQ is row-independent (groups run along the input columns), so quantizing in the
// engine's order and permuting afterwards equals quantizing HF's rows.
//
// Deviations from AutoAWQ: float32 arithmetic throughout (AutoAWQ runs the model in fp16; we do
// not cast the folded weights to fp16 before the final step, only its scales); the clipping
// sample stride is ceil(n / 512) so at most 512 tokens are used; the grid search and clipping
// may be restricted to the first `searchChunks` chunks to bound time and memory (default:
// all, as AutoAWQ), while mean |x| always uses every chunk.
//
// Progress: Stage::Quantizing, done/total in steps (per block: the capture, nGrid steps per
// scaling group, clipping and quantization), item "blk.<l>". A stop request is honoured
// between grid steps and inside the block runs, GEMMs and clipping rows (ErrorCode::Cancelled).
// Errors: an empty chunk list or chunk, a token outside the vocabulary, options that do not fit
// a linear (a group size that does not divide its input columns: the tensor is named).

#include <cstdint>
#include <memory>
#include <span>
#include <stop_token>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/jobs/progress.h"
#include "core/model/layer_weights.h"
#include "core/model/model.h"
#include "core/model/session.h"
#include "core/quant/awq.h"
#include "core/quant/gptq.h"

namespace condense::model {

struct AwqRunConfig {
    quant::AwqOptions awq;
    int threads = 0;               // 0: all hardware threads
    std::int64_t searchChunks = 0; // chunks the grid search and the clipping see (0: all)
    bool quantize = true;          // false: fold (and clip) only; AwqLinear::folded is filled
    bool keepFolded = false;       // with quantize: also return the folded float weights
};

// One quantized linear (seven per block: attn_q, attn_k, attn_v, attn_output, ffn_gate,
// ffn_up, ffn_down).
struct AwqLinear {
    std::int64_t layer = 0;
    WeightRole role = WeightRole::AttnQ;
    std::string hfName;        // "model.layers.3.self_attn.q_proj" (the module; tensors add .qweight ...)
    std::string ggufName;      // "blk.3.attn_q.weight"
    std::int64_t rows = 0;     // output features
    std::int64_t cols = 0;     // input features
    quant::GptqResult quant;   // HF row order; empty when !quantize
    std::vector<float> folded; // rows x cols, HF row order: scaled and clipped, before quantization
};

// A float tensor that folding changed and the export must take instead of the original's.
struct AwqVector {
    std::int64_t layer = 0;
    BlockVector which = BlockVector::AttnNorm;
    std::string hfName;   // "model.layers.3.input_layernorm.weight", "...self_attn.v_proj.bias"
    std::string ggufName; // "blk.3.attn_norm.weight", "blk.3.attn_v.bias"
    std::vector<float> values;
};

struct AwqGroupReport {
    std::int64_t layer = 0;
    std::string name; // "attn_norm>qkv", "attn_v>attn_output", "ffn_norm>gate_up", "ffn_up>ffn_down"
    int bestStep = 0;
    double alpha = 0.0;
    double loss = 0.0;       // at the best step
    double lossAlpha0 = 0.0; // at alpha = 0
    std::vector<float> scales;
};

struct AwqModelResult {
    std::vector<AwqLinear> linears; // block by block, in the role order above
    std::vector<AwqVector> vectors; // folded norms (two per block) and biases
    std::vector<AwqGroupReport> groups;
    double clipErrorUnclipped = 0.0; // sum over clipped linears of the per-group errors
    double clipErrorClipped = 0.0;
    std::int64_t calibrationTokens = 0;
    std::int64_t searchTokens = 0;
    double seconds = 0.0;
};

Result<AwqModelResult> runAwq(std::shared_ptr<const Model> model, std::span<const std::vector<std::int32_t>> chunks,
                              const AwqRunConfig& config, jobs::ProgressSink& sink, std::stop_token stop = {});

// Installs a result into a session over the same model: every linear's dequantized weights
// (the folded floats when the result is not quantized) and the replaced vectors, in the
// engine's row order. The session then computes what the exported checkpoint computes.
Status installAwq(Session& session, const AwqModelResult& result);

// Hugging Face module names of a block's linears and vectors (llama / mistral / qwen2 / qwen3).
std::string hfLinearName(std::int64_t layer, WeightRole role);
std::string hfVectorName(std::int64_t layer, BlockVector which);

} // namespace condense::model
