#pragma once
// BlockGrid: one block of a ggml weight format taken apart into what a column-by-column
// quantizer (GPTQ inside ggml blocks, gptq_ggml.h) needs: the block's scale search on given
// values and importance (the format's own, as llama-quantize runs it), the value grid that its
// scales define for every element, and reading / writing one element's code in the packed
// bytes with the scales kept. Types: Q4_0, Q8_0 (32 elements), Q2_K, Q3_K, Q4_K, Q5_K, Q6_K,
// IQ4_XS (256). Layouts: block_types.h and the header of each type's unit.
//
// Every element's value is value(e, code) = scale[e] * level(code) - offset[e], in float, in
// exactly the operations the type's dequantizer runs (so a sweep's values are the decoded
// file's): level = code - levelBias for the linear formats, kIq4nlValues[code] for IQ4_XS.
//   Q4_0   code 0..15,   level code - 8,  scale d
//   Q8_0   code -128..127 (the int8 itself), level code, scale d
//   Q2_K   code 0..3,    level code,      scale d*sc_k, offset dmin*m_k  (16 sub-blocks of 16)
//   Q3_K   code 0..7,    level code - 4,  scale d*(sc_k - 32)
//   Q4_K   code 0..15,   level code,      scale d*sc_j, offset dmin*m_j  (8 sub-blocks of 32)
//   Q5_K   code 0..31,   level code,      as Q4_K
//   Q6_K   code 0..63,   level code - 32, scale d*sc_k
//   IQ4_XS code 0..15,   level kIq4nlValues[code], scale d*(sc_j - 32)
// nearestCode(e, x): the type's own rounding on those scales, clamp(nearestInt((x + offset) /
// scale) + levelBias) (iq4BestIndex for IQ4_XS); -1 when the element's scale is 0 (every code
// gives the same value).

#include <cstdint>

#include "core/tensor/dtype.h"

namespace condense::quant {

class BlockGrid {
public:
    static constexpr int kMaxElements = 256;

    // Whether `type` is one of the formats above.
    static bool supports(DType type) noexcept;
    // Elements per block (32 or 256), 0 for unsupported types.
    static int elements(DType type) noexcept;
    // Bytes per block.
    static int bytes(DType type) noexcept;

    // The type's scale search (with importance) on one block of values: writes the whole block
    // (scales and codes) exactly as the type's quantizer does for that block of a row with this
    // importance. `rowSigma2` is used by Q4_0 only, whose importance weights take the mean
    // square of the whole row (sum(x^2) / n, float); Q8_0 ignores the importance (as
    // llama-quantize does).
    static void search(DType type, const float* x, const float* importance, float rowSigma2, std::uint8_t* block);

    // Decodes the scales of a packed block (codes are not read).
    void decode(DType type, const std::uint8_t* block);

    float value(int e, int code) const
    {
        const float level = m_codebook ? static_cast<float>(m_codebook[code]) : static_cast<float>(code - m_levelBias);
        return m_scale[e] * level - m_offset[e];
    }
    int nearestCode(int e, float x) const;
    // The codes an element may take (after decode): codeMin() .. codeMax().
    int codeMin() const { return m_codeMin; }
    int codeMax() const { return m_codeMax; }

    // Multiplies the block's super-block scale d (f16) by `factor` (sub-block scales, mins and
    // codes unchanged).
    static void scaleSuperScale(DType type, std::uint8_t* block, float factor);

    // The block's sub-block scale and min codes as numbered parameters (scales first, then
    // mins): Q4_K / Q5_K 8 + 8 six-bit, Q2_K 16 + 16 four-bit, Q3_K 16 six-bit, Q6_K 16 int8,
    // IQ4_XS 8 six-bit; none for Q4_0 and Q8_0. `range` gives the codes a parameter may take.
    static int subScaleParams(DType type) noexcept;
    static void subScaleRange(DType type, int& lo, int& hi) noexcept;
    static int subScale(DType type, const std::uint8_t* block, int p);
    static void setSubScale(DType type, std::uint8_t* block, int p, int v);

    static int code(DType type, const std::uint8_t* block, int e);
    static void setCode(DType type, std::uint8_t* block, int e, int code);

private:
    DType m_type = DType::Q4_K;
    int m_n = 0;
    int m_levelBias = 0;
    int m_codeMin = 0;
    int m_codeMax = 0;
    const std::int8_t* m_codebook = nullptr;
    float m_scale[kMaxElements] = {};
    float m_offset[kMaxElements] = {};
};

} // namespace condense::quant
