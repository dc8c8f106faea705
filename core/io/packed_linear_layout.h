#pragma once
// The on-disk tensors of one integer-quantized linear in a Hugging Face checkpoint: the formats,
// their configuration, the tensors' layout and the helpers both the writers (core/quant
// packed_linear.h: GptqResult -> tensors) and the reader (packed_linear_reader.h: tensors ->
// weights, used by Checkpoint) share.
//
//   GptqV1            AutoGPTQ "gptq": qweight / qzeros (stored zero - 1) / scales / g_idx
//                     (core/quant/gptq_packing.h; ../shared/reference/formats.md 6.2-6.3)
//   GptqV2            GPTQModel "gptq_v2": the same with the true zero stored
//   CompressedTensors compressed-tensors "pack-quantized": weight_packed / weight_scale /
//                     weight_zero_point / weight_shape / weight_g_idx (core/quant/compressed_tensors_packing.h)
//   AwqGemm           AutoAWQ GEMM: qweight / qzeros / scales, AWQ_ORDER nibbles (core/quant/awq_packing.h;
//                     formats.md 7.2)

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/tensor/dtype.h"

namespace condense::io {

enum class HfQuantFormat : std::uint8_t { GptqV1, GptqV2, CompressedTensors, AwqGemm };

// "gptq", "gptq_v2", "compressed-tensors", "awq" (what the CLI and a plan name).
std::string_view hfQuantFormatName(HfQuantFormat f) noexcept;

struct PackConfig {
    HfQuantFormat format = HfQuantFormat::GptqV1;
    int bits = 4;
    std::int64_t groupSize = 128; // -1: one group per row (GPTQ "-1", compressed-tensors "channel")
    bool symmetric = true;
    bool actOrder = false;        // desc_act: g_idx is the processing order's groups (GPTQ, compressed-tensors)
};

// One tensor as stored (suffix after "<prefix>.", e.g. "qweight", "weight_packed").
struct PackedTensor {
    std::string suffix;
    DType dtype = DType::I32;
    std::vector<std::uint64_t> shape; // PyTorch order, outermost first
    std::vector<std::byte> data;
};

// A stored tensor as read from a file (bytes are a view; checked by the unpackers).
struct PackedView {
    std::string suffix;
    DType dtype = DType::I32;
    std::vector<std::uint64_t> shape;
    std::span<const std::byte> data;
};

// AutoAWQ's AWQ_ORDER: nibble n of a GEMM word holds output column 8c + kAwqOrder[n].
inline constexpr std::array<int, 8> kAwqOrder{0, 2, 4, 6, 1, 3, 5, 7};

// Checks bits / group / symmetry against what `format` can hold for a linear of `cols` inputs
// and `rows` outputs (InvalidArgument naming the constraint).
Status checkPackConfig(const PackConfig& config, std::int64_t rows, std::int64_t cols);

// Suffix, dtype and shape (no data) of the tensors a linear of `rows` outputs and `cols` inputs
// is stored as (call checkPackConfig first), in the order the writers emit them.
std::vector<PackedTensor> packedLayout(const PackConfig& config, std::int64_t rows, std::int64_t cols);

// LSB-first bit stream of `values` (each < 2^bits) cut into 32-bit words (the last one zero
// padded): value j at bits [j*bits, j*bits + bits) of the stream.
std::vector<std::uint32_t> packBitStream(std::span<const std::uint8_t> values, int bits);
// The inverse: `count` values from `words` (count * bits <= 32 * words.size()).
std::vector<std::uint8_t> unpackBitStream(std::span<const std::uint32_t> words, int bits, std::size_t count);

// Helpers shared by the format files.
std::vector<std::byte> int32Bytes(std::span<const std::uint32_t> words);
std::vector<std::byte> halfBytes(std::span<const float> values);
const PackedView* findPacked(std::span<const PackedView> tensors, std::string_view suffix);
Error packError(ErrorCode code, std::string_view suffix, std::string detail);
std::uint32_t loadWord(std::span<const std::byte> data, std::size_t index);
// A required view of one of `dtypes` and exactly `shape` whose bytes match (Malformed / MissingTensor
// naming the suffix otherwise).
Status checkPackedView(const PackedView* v, std::string_view suffix, std::initializer_list<DType> dtypes,
                       const std::vector<std::uint64_t>& shape);
// F16 / BF16 / F32 view as floats (after checkPackedView).
std::vector<float> readFloats(const PackedView& v);
// I32 view as words (after checkPackedView).
std::vector<std::uint32_t> readWords(const PackedView& v);
// Malformed naming `suffix` when a scale is NaN or infinite.
Status checkFiniteScales(const std::vector<float>& scales, std::string_view suffix);
// "[a, b]"
std::string shapeString(const std::vector<std::uint64_t>& shape);

} // namespace condense::io
