#pragma once
// Model: a decoder-only transformer of the llama / mistral / qwen2 / qwen3 families, ready to
// run on the CPU, loaded from a Checkpoint (Hugging Face folder or safetensors file with
// F32/F16/BF16 weights, or a GGUF with float or block-quantized weights).
//
//   auto ck = io::openCheckpoint(path, sink);
//   auto model = model::loadModel(*ck, {});          // Result<std::shared_ptr<const Model>>
//   auto session = model::Session::create(*model, {.nCtx = 512, .threads = 2});
//   (*session)->eval(tokens, logits);                // session.h
//   // calibration / sensitivity: activation observer, block-by-block forward and per-session
//   // weight overrides, all on Session (session.h)
//
// Weights are not copied: every matrix is a view into the checkpoint's memory mapping (the
// Model keeps the Checkpoint alive), quantized types stay quantized; only norm weights, biases
// and rope factors are converted to float. Tensor names are llama.cpp's (GGUF names, or HF
// names mapped with arch::ggufTensorName). RoPE pairs follow the file's layout (rope.h): GGUF arch
// "llama" stores Q/K rows permuted, so it uses NORM pairs; everything else rotate-half pairs.
//
// Architecture per block (HF modeling_llama / qwen2 / qwen3, eager attention):
//   h   = x + o_proj(attn(rope(qnorm(W_q n1 + b_q)), rope(knorm(W_k n1 + b_k)), W_v n1 + b_v)),
//         n1 = rmsnorm(x) * attn_norm
//   x'  = h + down(silu(gate n2) * up n2),  n2 = rmsnorm(h) * ffn_norm
//   rmsnorm(x) = x / sqrt(mean(x^2) + eps); attention: softmax(q k^T / sqrt(headDim) + causal mask)
//   (+ sliding window when the config enables one), grouped-query (head h uses kv head
//   h / (heads / kvHeads)); logits = output(rmsnorm(x_L) * output_norm), output = token_embd
//   when the embeddings are tied.
//
// Errors: family Unknown or anything we cannot run -> UnsupportedArchitecture (naming the file);
// a required tensor missing -> MissingTensor (naming it); shape mismatch -> Malformed;
// a weight type without kernels -> UnsupportedType.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/common/cpu_features.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/model/layer_weights.h"
#include "core/model/matmul.h"
#include "core/arch/model_spec.h"
#include "core/model/rope.h"
#include "core/model/weight_view.h"

namespace condense::model {

struct LoadConfig {
    // Kernels: the best the CPU has by default; simd = quantKernels = CpuLevel::Scalar is the
    // reference path (tests compare the two).
    CpuLevel simd = detectCpuLevel();
    CpuLevel quantKernels = CpuLevel::Best;
};

// Sizes the forward pass works with (from the tensors, cross-checked against the spec).
struct ModelDims {
    std::int64_t vocab = 0;
    std::int64_t hidden = 0;
    std::int64_t ff = 0;
    std::int64_t layers = 0;
    std::int64_t heads = 0;
    std::int64_t kvHeads = 0;
    std::int64_t headDim = 0;
    std::int64_t slidingWindow = 0; // 0: none
    float rmsEps = 1e-6f;
};

class Model {
public:
    const arch::ModelSpec& spec() const { return m_spec; }
    const ModelDims& dims() const { return m_dims; }
    const io::Checkpoint& checkpoint() const { return *m_checkpoint; }
    const Rope& rope() const { return m_rope; }
    const Matmul& matmul() const { return m_matmul; }

    const std::vector<LayerWeights>& layers() const { return m_layers; }
    const WeightView& tokenEmbedding() const { return m_tokEmbd; }
    const WeightView& output() const { return m_output; } // token_embd when tied
    const std::vector<float>& outputNorm() const { return m_outputNorm; }
    bool tiedEmbeddings() const { return m_tied; }

    // Writes the embedding of `token` (hidden floats); token must be in [0, vocab).
    void embed(std::int32_t token, float* out) const;
    // Bytes of all weight matrices as stored (what one forward pass streams).
    std::uint64_t weightBytes() const;

private:
    Model() = default;
    friend Result<std::shared_ptr<const Model>> loadModel(std::shared_ptr<const io::Checkpoint>, const LoadConfig&);
    friend struct ModelLoader;
    std::shared_ptr<const io::Checkpoint> m_checkpoint;
    arch::ModelSpec m_spec;
    ModelDims m_dims;
    Rope m_rope;
    Matmul m_matmul;
    std::vector<LayerWeights> m_layers;
    WeightView m_tokEmbd, m_output;
    std::vector<float> m_outputNorm;
    bool m_tied = false;
};

Result<std::shared_ptr<const Model>> loadModel(std::shared_ptr<const io::Checkpoint> checkpoint,
                                               const LoadConfig& config = {});

} // namespace condense::model
