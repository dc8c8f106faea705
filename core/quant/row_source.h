#pragma once
// RowSource: the float rows of one tensor of any checkpoint, the one row producer of Condense
// (conversion and quantization now; analysis and calibration later).
//
//   - inputs: safetensors / GGUF tensors stored as F32, F16, BF16 or F64 (converted exactly to
//     float), or as a GGUF block type with kernels in core/quant (dequantized row by row with
//     the type's dequantizeRow);
//   - a row is the innermost dimension (cols() = shape.back() = ggml ne[0]); rows() is every
//     other dimension flattened;
//   - order: RowOrder::Source gives the rows as stored; RowOrder::LlamaCpp gives them as
//     llama.cpp expects them: for a Hugging Face llama/mistral checkpoint the q_proj / k_proj
//     rows are permuted (convert_hf_to_gguf.py's LlamaModel.permute, arch::qkPermutedSourceRow
//     per rotary head along the outermost dimension). GGUF tensors are stored in llama.cpp order
//     already, so both orders read them as stored. A 1-D q/k bias is one row whose values the
//     permutation moves.
//
// Reading is thread-safe (const, no state) and costs one type switch per call, not per element.
// The data stays in the checkpoint's memory mapping: a RowSource must not outlive it.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/tensor/dtype.h"

namespace condense::quant {

struct QuantKernels;

enum class RowOrder : std::uint8_t { Source, LlamaCpp };

// The number of rotary heads whose Q/K permutation llama.cpp order applies to checkpoint tensor
// `tensor` (0: none): num_attention_heads for q_proj, num_key_value_heads for k_proj of a
// Hugging Face llama / mistral checkpoint (what convert_hf_to_gguf.py's LlamaModel permutes).
std::uint64_t llamaCppPermuteHeads(const io::Checkpoint& input, std::size_t tensor);

// Drops the pages of a read-only input mapping that lie entirely inside `bytes`: they stay in
// the page cache but stop counting towards this process's memory. No-op where unsupported.
void releaseInputPages(std::span<const std::byte> bytes) noexcept;

class RowSource {
public:
    // Checkpoint tensor by index or by stored name. Errors: MissingTensor / OutOfRange (no
    // such tensor), UnsupportedType (no float conversion or dequantization for the stored
    // type), Malformed (data size does not match shape and type, rows not a multiple of the
    // block size, rows that cannot be split into the rotary heads).
    static Result<RowSource> open(const io::Checkpoint& input, std::size_t tensor, RowOrder order);
    static Result<RowSource> open(const io::Checkpoint& input, std::string_view name, RowOrder order);
    // Bytes already located: `shape` outermost first, `permuteHeads` > 0 reads the rows in
    // llama.cpp's Q/K order. `file` names the source in errors.
    static Result<RowSource> fromBytes(std::string name, DType type, const std::vector<std::uint64_t>& shape,
                                       std::span<const std::byte> data, std::uint64_t permuteHeads = 0,
                                       std::string file = {});

    std::uint64_t rows() const { return m_rows; }
    std::uint64_t cols() const { return m_cols; }
    DType inputType() const { return m_type; }
    std::uint64_t permuteHeads() const { return m_heads; }
    const std::string& name() const { return m_name; }
    const std::string& file() const { return m_file; }
    // Bytes of one stored row and of the whole tensor as stored.
    std::uint64_t rowBytes() const { return m_rowBytes; }
    std::span<const std::byte> storedBytes() const { return m_data; }

    // Which stored row is row `row` of this order.
    std::uint64_t sourceRow(std::uint64_t row) const
    {
        if (m_heads == 0 || m_permuteValues) return row;
        return sourceRowPermuted(row);
    }

    // Rows [firstRow, firstRow + n) as n * cols() floats. OutOfRange beyond rows().
    Status read(std::uint64_t firstRow, std::uint64_t n, float* out) const;
    // The same rows as `type` (F32, F16 or BF16): the stored bytes themselves when `type` is the
    // stored type (bit-exact, NaN payloads kept), else through float as convertFloatRow does.
    Status readAs(DType type, std::uint64_t firstRow, std::uint64_t n, void* out) const;

    // Rows [0, firstRow + n) of this order have been read and will not be read again (the caller
    // consumes rows in order, firstRow..firstRow+n being the latest step): drops the input pages
    // that only they used (releaseInputPages). Permuted tensors drop whole rotary heads.
    void releaseConsumed(std::uint64_t firstRow, std::uint64_t n) const noexcept;

private:
    std::uint64_t sourceRowPermuted(std::uint64_t row) const;
    Status checkRange(std::uint64_t firstRow, std::uint64_t n) const;

    std::string m_name;
    std::string m_file;
    DType m_type = DType::F32;
    std::span<const std::byte> m_data;
    const QuantKernels* m_dequant = nullptr; // block types
    std::uint64_t m_rows = 0;
    std::uint64_t m_cols = 0;
    std::uint64_t m_rowBytes = 0;
    std::uint64_t m_heads = 0; // > 0: llama.cpp Q/K order
    std::uint64_t m_outer = 0; // outermost dimension (what the permutation moves)
    std::uint64_t m_inner = 1; // rows per outermost index
    bool m_permuteValues = false; // 1-D Q/K bias: the values of the one row move
};

} // namespace condense::quant
