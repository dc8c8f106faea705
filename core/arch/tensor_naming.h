#pragma once
// Hugging Face -> llama.cpp tensor names for the llama, mistral, qwen2 and qwen3 families, and
// the Q/K row permutation llama-arch GGUFs use (ggml-org/llama.cpp gguf-py/gguf/tensor_mapping.py,
// constants.py TENSOR_NAMES, conversion/llama.py LlamaModel.permute;
// ../shared/reference/formats.md 2.4 and 2.6).
//
//   model.embed_tokens.weight               -> token_embd.weight
//   model.norm.weight                       -> output_norm.weight
//   lm_head.weight                          -> output.weight
//   model.layers.N.input_layernorm          -> blk.N.attn_norm
//   model.layers.N.self_attn.{q,k,v}_proj   -> blk.N.attn_{q,k,v}        (.weight / .bias)
//   model.layers.N.self_attn.o_proj         -> blk.N.attn_output
//   model.layers.N.self_attn.{q,k}_norm     -> blk.N.attn_{q,k}_norm     (qwen3)
//   model.layers.N.post_attention_layernorm -> blk.N.ffn_norm
//   model.layers.N.mlp.{gate,up,down}_proj  -> blk.N.ffn_{gate,up,down}
//
// Q/K permutation (arch llama): with R rows split into n heads of D = R/n rows and h = D/2,
//   out_row[g*D + 2*i + j] = in_row[g*D + j*h + i]     (g < n, i < h, j in {0,1})
// i.e. HF's "rotate half" pairs (i, i+h) become the adjacent pairs ggml's NORM rope expects.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace condense::arch {

// Tensors the converter drops (rotary caches and attention masks some checkpoints store).
bool isSkippedHfTensor(std::string_view hfName) noexcept;

// The llama.cpp name of a HF tensor of the llama/mistral/qwen2/qwen3 families, or nullopt
// when the name is not one of theirs. A leading "language_model." is ignored (as the
// converter does for multimodal wrappers).
std::optional<std::string> ggufTensorName(std::string_view hfName);

// The block id of a HF name: the first dot-separated part made only of digits (-1 if none).
int hfBlockId(std::string_view hfName) noexcept;

// Which Q/K permutation a HF tensor needs in a llama-arch GGUF.
enum class QkPermute : std::uint8_t { None, Query, Key };
QkPermute qkPermuteFor(std::string_view hfName) noexcept;

// Source row that lands at `dstRow` after the permutation of `rows` rows in `nHead` heads.
// Requires rows % (2 * nHead) == 0.
std::uint64_t qkPermutedSourceRow(std::uint64_t dstRow, std::uint64_t rows, std::uint64_t nHead) noexcept;

} // namespace condense::arch
