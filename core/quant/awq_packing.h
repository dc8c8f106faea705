#pragma once
// AutoAWQ "GEMM" packing (casper-hansen/AutoAWQ awq/modules/linear/gemm.py
// WQLinear_GEMM.from_linear, awq/utils/packing_utils.py; ../shared/reference/formats.md 7.2).
// 4 bits, zero points, groups of `group` consecutive input columns (in % group == 0,
// out % 8 == 0), per linear of `out` rows and `in` columns:
//
//   qweight I32 [in, out / 8]         codes packed along the OUTPUT dim
//   qzeros  I32 [in / group, out / 8] zero points (the zero itself), packed the same way
//   scales  F16 [in / group, out]
//
// Interleaved nibbles: nibble n (bits 4n .. 4n+3) of word [i, c] holds output column
// 8c + AWQ_ORDER[n], AWQ_ORDER = {0, 2, 4, 6, 1, 3, 5, 7}. No g_idx: group of column i is i / group.

#include <array>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/quant/packed_linear.h"

namespace condense::quant {

using io::kAwqOrder; // {0, 2, 4, 6, 1, 3, 5, 7}

// Reading: io::unpackPackedLinear (core/io/packed_linear_reader.h).
Result<std::vector<PackedTensor>> packAwqGemm(const GptqResult& r, const PackConfig& config);

} // namespace condense::quant
