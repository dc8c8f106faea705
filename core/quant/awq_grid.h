#pragma once
// AWQ's own round-to-nearest grid (casper-hansen/AutoAWQ awq/quantize/quantizer.py
// pseudo_quantize_tensor with zero_point=True; ../shared/reference/formats.md 7.1), per output
// row over each group of `groupSize` consecutive input columns:
//
//   max = max w, min = min w          (0 is NOT forced into the range, unlike GPTQ's grid)
//   scale = max(max - min, 1e-5) / (2^bits - 1)
//   zero  = clamp(-round(min / scale), 0, 2^bits - 1)
//   code  = clamp(round(w / scale) + zero, 0, 2^bits - 1),  value = (code - zero) * scale
//
// round is half to even (torch.round). The scale is rounded to float before the codes are
// derived (AutoAWQ runs in fp16; the exporter then rounds scales to F16, packed_linear.h).
// The result uses GptqResult with natural groups (gIdx[c] = c / groupSize), as the packers expect.

#include <cstdint>
#include <span>

#include "core/common/result.h"
#include "core/quant/gptq.h"

namespace condense::quant {

// InvalidArgument: bits not in 2..8, groupSize <= 0 or not dividing cols, shape mismatch, non-finite W.
Result<GptqResult> awqGridQuantize(std::span<const float> weight, std::int64_t rows, std::int64_t cols, int bits,
                                   std::int64_t groupSize);

} // namespace condense::quant
