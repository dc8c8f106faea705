#pragma once
// The on-disk tensors of one integer-quantized linear in a Hugging Face checkpoint, and the
// formats Condense packs a GptqResult into (core/quant/gptq.h: codes rows x cols in original
// column order, scales / zeros groups x rows, zeros being the true zero points, gIdx):
//
//   GptqV1            AutoGPTQ "gptq": qweight / qzeros (stored zero - 1) / scales / g_idx
//                     (gptq_packing.h; ../shared/reference/formats.md 6.2-6.3)
//   GptqV2            GPTQModel "gptq_v2": the same with the true zero stored
//   CompressedTensors compressed-tensors "pack-quantized": weight_packed / weight_scale /
//                     weight_zero_point / weight_shape / weight_g_idx (compressed_tensors_packing.h)
//   AwqGemm           AutoAWQ GEMM: qweight / qzeros / scales, AWQ_ORDER nibbles (awq_packing.h;
//                     formats.md 7.2)
//
// Where rounding happens: every format stores the scales as F16. A GptqResult carries float
// scales, so exporting first rounds them to F16 (roundScalesToHalf) and recomputes
// `dequantized` from the rounded scales; unpacking decodes with the very same expression
// (dequantizeCodes: float(double(scale) * (code - zero))). After roundScalesToHalf,
// unpack(pack(r)).dequantized == r.dequantized bit for bit. The codes are never re-derived
// from the rounded scale (AutoGPTQ re-derives them from fp16 scales: the same codes except for
// values sitting within fp16 rounding of a step boundary).

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"
#include "core/quant/gptq.h"
#include "core/tensor/dtype.h"

namespace condense::quant {

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

// Checks bits / group / symmetry against what `format` can hold for a linear of `cols` inputs
// and `rows` outputs (InvalidArgument naming the constraint).
Status checkPackConfig(const PackConfig& config, std::int64_t rows, std::int64_t cols);

// Rounds r.scales to F16 (round to nearest even) and recomputes r.dequantized from them.
// InvalidArgument when a scale does not fit F16 (|scale| > 65504).
Status roundScalesToHalf(GptqResult& r);

// dequantized[r, c] = float(double(scales[gIdx[c], r]) * (codes[r, c] - zeros[gIdx[c], r])).
void dequantizeCodes(GptqResult& r);

// Suffix, dtype and shape (no data) of the tensors packLinear writes for a linear of `rows`
// outputs and `cols` inputs (call checkPackConfig first).
std::vector<PackedTensor> packedLayout(const PackConfig& config, std::int64_t rows, std::int64_t cols);

// The format's tensors for one linear (in the order a checkpoint lists them). The scales are
// taken as they are in `r` (call roundScalesToHalf first so they are exactly representable).
Result<std::vector<PackedTensor>> packLinear(const GptqResult& r, const PackConfig& config);

// The inverse: codes / scales / zeros / gIdx and the dequantized weight (rows = out features,
// cols = in features). Every shape and dtype read from the views is checked first; errors are
// Malformed with the offending tensor's suffix in Error::tensor (the caller prefixes the linear).
Result<GptqResult> unpackLinear(std::span<const PackedView> tensors, const PackConfig& config);

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

} // namespace condense::quant
