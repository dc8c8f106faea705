#pragma once
// Internal to core/model: block-quantized weight rows unpacked into one integer form that the
// int8 outer-product kernels (gemm_avx512.cpp) share across types.
//
// Super-block types (Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_XS; Q8_K activations), per 256 elements:
//   w[256]       signed integer levels (Q4_K: q in 0..15, Q6_K: q - 32, Q3_K: q - 4, IQ4_XS:
//                the non-linear table value, ...), element order
//   scale[g]     integer scale of group g (groups of 256/G elements, G = 8 or 16)
//   mins[h]      integer min of 16-element group h (0 for types without mins; equal pairs when G = 8)
//   negSum[g]    -128 * sum of w over group g
//   d, dmin      the super-block's float factors (from f16)
//
// The number every kernel computes (so results do not depend on which kernel ran, i.e. on how
// many tokens were batched): with Q8_K activations (integers q, group sums bsum, scale d_x),
//   isum = sum_g scale[g] * sum_{i in g} w_i q_i        (exact int32)
//   msum = sum_h mins[h] * bsum_h                         (exact int32)
//   acc  = fma(float(isum), d * d_x, acc);  acc = fnmadd(float(msum), dmin * d_x, acc)
// over the super-blocks in order (acc starts at 0; fma/fnmadd are single-rounding IEEE ops).
// The outer-product kernels get sum w_i q_i from unsigned bytes u = q + 128 as
// negSum[g] + sum w_i u_i.
//
// 32-element block types (Q4_0 Q5_0 Q8_0 IQ4_NL; Q8_0 activations with f16 scale d_x), per block:
//   w[32], d, negSum = -128 * sum(w):  acc = fma(float(sum w_i q_i), d * d_x, acc) over blocks in order.
//
// The integers are exact and d * sc products are formed in float only once, as above, so the
// results equal core/quant's dots up to float summation order.

#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"

namespace condense::model::kernels {

struct alignas(64) UnpackedSuperBlock {
    std::int8_t w[256];
    std::int32_t scale[16];
    std::int32_t negSum[16];
    std::int16_t mins[16];
    float d;
    float dmin;
};
static_assert(sizeof(UnpackedSuperBlock) == 448);

struct alignas(16) UnpackedBlock32 {
    std::int8_t w[32];
    float d;
    std::int32_t negSum;
    std::int32_t pad[2];
};
static_assert(sizeof(UnpackedBlock32) == 48);

// Groups per super-block (8 or 16) and whether minv is used; 0 for other types.
int superBlockGroups(DType type);
bool superBlockHasMins(DType type);
bool isBlock32Type(DType type); // Q4_0 Q5_0 Q8_0 IQ4_NL

// Portable unpackers of one row of k elements (k a multiple of the block size).
void unpackSuperBlocks(DType type, const std::byte* row, std::int64_t k, UnpackedSuperBlock* out);
void unpackBlocks32(DType type, const std::byte* row, std::int64_t k, UnpackedBlock32* out);

} // namespace condense::model::kernels
