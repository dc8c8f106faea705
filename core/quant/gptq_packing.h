#pragma once
// GPTQ checkpoint packing, AutoGPTQ's "gptq" (v1) and GPTQModel's "gptq_v2" layouts
// (../shared/reference/formats.md 6.2; AutoGPTQ auto_gptq/nn_modules/qlinear/qlinear_cuda_old.py
// `pack`, GPTQModel gptqmodel/utils/model.py v1 <-> v2 conversion). Per linear of `out` rows and
// `in` columns, groups = ceil(in / group) (one group without groups):
//
//   qweight I32 [in * bits / 32, out]     codes packed along the INPUT dim
//   qzeros  I32 [groups, out * bits / 32] zero points packed along the OUTPUT dim;
//                                          v1 stores zero - 1, v2 the zero itself
//   scales  F16 [groups, out]
//   g_idx   I32 [in]                       group of each input column (desc_act: processing order)
//
// Packing of a run of codes along a dim: the codes are concatenated LSB first into one bit
// stream and cut into 32-bit little-endian words: for bits 2/4/8, word w holds values
// w*k .. w*k+k-1 (k = 32/bits), value j of the word at bit bits*j; for bits 3, 32 values fill
// 3 words (96 bits) and values 10 and 21 straddle two words. Needs in * bits and out * bits to be
// multiples of 32 (AutoGPTQ's own constraint).
//
// v1 cannot hold a zero point of 0 (stored -1 corrupts the neighbouring fields), so asymmetric
// results must go to v2; packing a v1 zero of 0 is refused, and so is reading a v1 field whose
// zero would be 2^bits.

#include <cstdint>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/quant/packed_linear.h"

namespace condense::quant {

using io::packBitStream;   // LSB-first bit stream cut into 32-bit words (packed_linear_layout.h)
using io::unpackBitStream;

// Reading: io::unpackPackedLinear (core/io/packed_linear_reader.h).
Result<std::vector<PackedTensor>> packGptq(const GptqResult& r, const PackConfig& config);

} // namespace condense::quant
