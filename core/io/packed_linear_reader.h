#pragma once
// Reading the integer-quantized linears of a Hugging Face checkpoint (GPTQ v1/v2,
// compressed-tensors pack-quantized, AutoAWQ GEMM; layouts in packed_linear_layout.h and the
// core/quant/*_packing.h headers): the stored tensors -> codes, scales, zeros, g_idx and the
// dequantized weight. Every shape, dtype and byte count read from the views is checked first,
// and every value that indexes something (g_idx, zero points) or multiplies (scales) is checked
// before use; errors carry the offending tensor's suffix in Error::tensor (the caller adds the
// linear's prefix and the file).
//
// Dequantization: w[r, c] = float(double(scale[g, r]) * (code[r, c] - zero[g, r])), g = gIdx[c]
// (the same expression as quant::dequantizeCodes, so an export decodes bit for bit to the values
// its quantizer produced after the F16 rounding of the scales).

#include <cstdint>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/io/packed_linear_layout.h"

namespace condense::io {

struct UnpackedLinear {
    std::int64_t rows = 0;   // out_features
    std::int64_t cols = 0;   // in_features
    std::int64_t groups = 0;
    std::vector<std::uint8_t> codes;  // rows x cols (empty with UnpackMode::Check)
    std::vector<float> scales;        // groups x rows
    std::vector<std::uint8_t> zeros;  // groups x rows, true zero points
    std::vector<std::int32_t> gIdx;   // cols
    std::vector<float> dequantized;   // rows x cols (empty with UnpackMode::Check)
};

// Check: everything but the packed codes (cheap: what a Checkpoint does at open).
enum class UnpackMode : std::uint8_t { Full, Check };

Result<UnpackedLinear> unpackPackedLinear(std::span<const PackedView> tensors, const PackConfig& config,
                                          UnpackMode mode = UnpackMode::Full);

// The stored tensor suffixes of `format` (what a Checkpoint hides behind `<prefix>.weight`);
// `first` is the one that marks a linear ("qweight" / "weight_packed").
std::span<const std::string_view> packedSuffixes(HfQuantFormat format);
std::string_view packedMarkerSuffix(HfQuantFormat format);

void dequantizeUnpacked(UnpackedLinear& r);

} // namespace condense::io
