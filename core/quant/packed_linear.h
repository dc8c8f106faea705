#pragma once
// Packing a GptqResult (core/quant/gptq.h: codes rows x cols in original column order, scales /
// zeros groups x rows, zeros being the true zero points, gIdx) into the tensors of a Hugging Face
// quantized checkpoint, and back. Formats and layouts: core/io/packed_linear_layout.h and
// gptq_packing.h, compressed_tensors_packing.h, awq_packing.h; the reading half is
// core/io/packed_linear_reader.h (core/io sits below core/quant, and Checkpoint reads these).
//
// Where rounding happens: every format stores the scales as F16. A GptqResult carries float
// scales, so exporting first rounds them to F16 (roundScalesToHalf) and recomputes
// `dequantized` from the rounded scales; unpacking decodes with the very same expression
// (dequantizeCodes here, io::dequantizeUnpacked there: float(double(scale) * (code - zero))).
// After roundScalesToHalf, unpackLinear(packLinear(r)).dequantized == r.dequantized bit for bit.
// The codes are never re-derived from the rounded scale (AutoGPTQ re-derives them from fp16
// scales: the same codes except for values within fp16 rounding of a step boundary).

#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/io/packed_linear_layout.h"
#include "core/quant/gptq.h"

namespace condense::quant {

using io::HfQuantFormat;
using io::hfQuantFormatName;
using io::PackConfig;
using io::PackedTensor;
using io::PackedView;
using io::checkPackConfig;
using io::packedLayout;

// Rounds r.scales to F16 (round to nearest even) and recomputes r.dequantized from them.
// InvalidArgument when a scale does not fit F16 (|scale| > 65504).
Status roundScalesToHalf(GptqResult& r);

// dequantized[r, c] = float(double(scales[gIdx[c], r]) * (codes[r, c] - zeros[gIdx[c], r])).
void dequantizeCodes(GptqResult& r);

// The format's tensors for one linear (in packedLayout's order). The scales are taken as they
// are in `r` (call roundScalesToHalf first so they are exactly representable).
Result<std::vector<PackedTensor>> packLinear(const GptqResult& r, const PackConfig& config);

// The inverse (io::unpackPackedLinear as a GptqResult: order = identity).
Result<GptqResult> unpackLinear(std::span<const PackedView> tensors, const PackConfig& config);

} // namespace condense::quant
