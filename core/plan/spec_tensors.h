#pragma once
// The tensors a model's GGUF holds, from its architecture facts alone (a config.json, no
// weights): what convert_hf_to_gguf.py writes for the llama, mistral, qwen2 and qwen3 families
// at F16 (the input llama-quantize reads), so a mix can be planned before anything is
// downloaded (plan::planMix gives the types, QuantPlan::totalBytes the size).
//
// Per model (ggml order, innermost first; H hidden, F intermediate, V vocab, Q = heads x head_dim,
// K = kv_heads x head_dim, D head_dim):
//   token_embd.weight [H, V] F16        output_norm.weight [H] F32
//   output.weight [H, V] F16            unless tie_word_embeddings
//   rope_freqs.weight [D/2] F32         llama/mistral with rope_scaling type llama3
// Per layer N (blk.N.):
//   attn_norm.weight [H] F32            ffn_norm.weight [H] F32
//   attn_q.weight [H, Q]  attn_k.weight [H, K]  attn_v.weight [H, K]  attn_output.weight [Q, H]   F16
//   attn_{q,k,v}.bias [Q|K|K] F32       qwen2 always; others with attention_bias
//   attn_output.bias [H] F32            attention_bias (llama, qwen3; never qwen2)
//   attn_{q,k}_norm.weight [D] F32      qwen3
//   ffn_gate.weight [H, F]  ffn_up.weight [H, F]  ffn_down.weight [F, H]   F16
//   ffn_{gate,up}.bias [F], ffn_down.bias [H] F32   with mlp_bias
// The names follow core/arch/tensor_naming.h; the types follow the converter's rule (1-D
// tensors, norms and biases F32). The list is in llama-quantize's order (llamaTensorOrderLess).

#include <string>
#include <vector>

#include "core/arch/model_spec.h"
#include "core/common/result.h"
#include "core/plan/mixes.h"

namespace condense::plan {

// UnsupportedArchitecture for families we cannot convert and for MoE models; Malformed when a
// dimension the list needs is zero.
Result<std::vector<PlanTensorInput>> tensorsFromSpec(const arch::ModelSpec& spec, const std::string& label);

} // namespace condense::plan
