#include "core/quant/block_grid.h"

#include <algorithm>
#include <cmath>

#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

namespace condense::quant {

namespace {

// 6-bit scale code k of a Q3_K block (q3_k.h).
int q3kScaleCode(const std::uint8_t* scales, int k)
{
    const int lo = k < 8 ? (scales[k] & 0xF) : (scales[k - 8] >> 4);
    const int hi = (scales[8 + k % 4] >> (2 * (k / 4))) & 3;
    return lo | (hi << 4);
}

// 6-bit scale code of sub-block ib of an IQ4_XS block (iq4_xs.h).
int iq4xsScaleCode(const BlockIQ4_XS& b, int ib)
{
    return ((b.scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((b.scalesH >> (2 * ib)) & 3) << 4);
}

// Q4_0 with importance (q4_0.cpp): w = qw * sqrt(sigma2 + x^2), sigma2 the row's mean square.
void searchQ4_0(const float* x, const float* qw, float sigma2, BlockQ4_0& b)
{
    float w[kQK];
    std::int8_t L[kQK];
    for (int j = 0; j < kQK; ++j)
        w[j] = qw[j] * std::sqrt(sigma2 + x[j] * x[j]);
    const float d = makeQxQuants(kQK, 8, x, L, w);
    b.d = fp32ToFp16(d);
    for (int j = 0; j < kQK / 2; ++j)
        b.qs[j] = static_cast<std::uint8_t>(L[j] | (L[j + 16] << 4));
}

// Nibble `hi` of byte p.
inline int nibble(std::uint8_t p, bool hi) { return hi ? p >> 4 : p & 0xF; }
inline void setNibble(std::uint8_t& p, bool hi, int v)
{
    p = hi ? static_cast<std::uint8_t>((p & 0x0F) | (v << 4)) : static_cast<std::uint8_t>((p & 0xF0) | v);
}
inline void setBits(std::uint8_t& p, int shift, int width, int v)
{
    const int mask = ((1 << width) - 1) << shift;
    p = static_cast<std::uint8_t>((p & ~mask) | ((v << shift) & mask));
}

} // namespace

bool BlockGrid::supports(DType type) noexcept
{
    return elements(type) > 0;
}

int BlockGrid::elements(DType type) noexcept
{
    switch (type) {
    case DType::Q4_0:
    case DType::Q8_0: return kQK;
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K:
    case DType::IQ4_XS: return kQKK;
    default: return 0;
    }
}

int BlockGrid::bytes(DType type) noexcept
{
    const DTypeTraits* t = dtypeTraits(type);
    return supports(type) && t ? static_cast<int>(t->blockBytes) : 0;
}

void BlockGrid::search(DType type, const float* x, const float* importance, float rowSigma2, std::uint8_t* block)
{
    if (type == DType::Q4_0) {
        searchQ4_0(x, importance, rowSigma2, *reinterpret_cast<BlockQ4_0*>(block));
        return;
    }
    quantKernels(type)->quantizeRow(x, block, elements(type), importance);
}

void BlockGrid::decode(DType type, const std::uint8_t* block)
{
    m_type = type;
    m_n = elements(type);
    m_codebook = nullptr;
    std::fill(m_offset, m_offset + m_n, 0.0f);
    switch (type) {
    case DType::Q4_0: {
        const float d = fp16ToFp32(reinterpret_cast<const BlockQ4_0*>(block)->d);
        std::fill(m_scale, m_scale + m_n, d);
        m_levelBias = 8;
        m_codeMin = 0;
        m_codeMax = 15;
        break;
    }
    case DType::Q8_0: {
        const float d = fp16ToFp32(reinterpret_cast<const BlockQ8_0*>(block)->d);
        std::fill(m_scale, m_scale + m_n, d);
        m_levelBias = 0;
        m_codeMin = -128;
        m_codeMax = 127;
        break;
    }
    case DType::Q2_K: {
        const auto& b = *reinterpret_cast<const BlockQ2_K*>(block);
        const float d = fp16ToFp32(b.d), dmin = fp16ToFp32(b.dmin);
        for (int k = 0; k < 16; ++k) {
            const float dl = d * static_cast<float>(b.scales[k] & 0xF);
            const float ml = dmin * static_cast<float>(b.scales[k] >> 4);
            std::fill(m_scale + 16 * k, m_scale + 16 * k + 16, dl);
            std::fill(m_offset + 16 * k, m_offset + 16 * k + 16, ml);
        }
        m_levelBias = 0;
        m_codeMin = 0;
        m_codeMax = 3;
        break;
    }
    case DType::Q3_K: {
        const auto& b = *reinterpret_cast<const BlockQ3_K*>(block);
        const float d = fp16ToFp32(b.d);
        for (int k = 0; k < 16; ++k)
            std::fill(m_scale + 16 * k, m_scale + 16 * k + 16, d * static_cast<float>(q3kScaleCode(b.scales, k) - 32));
        m_levelBias = 4;
        m_codeMin = 0;
        m_codeMax = 7;
        break;
    }
    case DType::Q4_K:
    case DType::Q5_K: {
        // d, dmin and scales[12] lead both layouts.
        const auto& b = *reinterpret_cast<const BlockQ4_K*>(block);
        const float d = fp16ToFp32(b.d), dmin = fp16ToFp32(b.dmin);
        for (int j = 0; j < 8; ++j) {
            std::uint8_t sc, m;
            getScaleMinK4(j, b.scales, &sc, &m);
            std::fill(m_scale + 32 * j, m_scale + 32 * j + 32, d * static_cast<float>(sc));
            std::fill(m_offset + 32 * j, m_offset + 32 * j + 32, dmin * static_cast<float>(m));
        }
        m_levelBias = 0;
        m_codeMin = 0;
        m_codeMax = type == DType::Q4_K ? 15 : 31;
        break;
    }
    case DType::Q6_K: {
        const auto& b = *reinterpret_cast<const BlockQ6_K*>(block);
        const float d = fp16ToFp32(b.d);
        for (int k = 0; k < 16; ++k)
            std::fill(m_scale + 16 * k, m_scale + 16 * k + 16, d * static_cast<float>(b.scales[k]));
        m_levelBias = 32;
        m_codeMin = 0;
        m_codeMax = 63;
        break;
    }
    case DType::IQ4_XS: {
        const auto& b = *reinterpret_cast<const BlockIQ4_XS*>(block);
        const float d = fp16ToFp32(b.d);
        for (int ib = 0; ib < 8; ++ib)
            std::fill(m_scale + 32 * ib, m_scale + 32 * ib + 32, d * static_cast<float>(iq4xsScaleCode(b, ib) - 32));
        m_levelBias = 0;
        m_codeMin = 0;
        m_codeMax = 15;
        m_codebook = kIq4nlValues;
        break;
    }
    default: m_n = 0; break;
    }
}

int BlockGrid::nearestCode(int e, float x) const
{
    const float s = m_scale[e];
    if (s == 0.0f) return -1;
    const float t = (x + m_offset[e]) / s;
    if (m_codebook) return iq4BestIndex(t);
    return std::clamp(nearestInt(t) + m_levelBias, m_codeMin, m_codeMax);
}

void BlockGrid::scaleSuperScale(DType type, std::uint8_t* block, float factor)
{
    auto scale = [factor](std::uint16_t& d) { d = fp32ToFp16(fp16ToFp32(d) * factor); };
    switch (type) {
    case DType::Q4_0: scale(reinterpret_cast<BlockQ4_0*>(block)->d); break;
    case DType::Q8_0: scale(reinterpret_cast<BlockQ8_0*>(block)->d); break;
    case DType::Q2_K: scale(reinterpret_cast<BlockQ2_K*>(block)->d); break;
    case DType::Q3_K: scale(reinterpret_cast<BlockQ3_K*>(block)->d); break;
    case DType::Q4_K: scale(reinterpret_cast<BlockQ4_K*>(block)->d); break;
    case DType::Q5_K: scale(reinterpret_cast<BlockQ5_K*>(block)->d); break;
    case DType::Q6_K: scale(reinterpret_cast<BlockQ6_K*>(block)->d); break;
    case DType::IQ4_XS: scale(reinterpret_cast<BlockIQ4_XS*>(block)->d); break;
    default: break;
    }
}

int BlockGrid::subScaleParams(DType type) noexcept
{
    switch (type) {
    case DType::Q4_K:
    case DType::Q5_K: return 16;
    case DType::Q2_K: return 32;
    case DType::Q3_K:
    case DType::Q6_K: return 16;
    case DType::IQ4_XS: return 8;
    default: return 0;
    }
}

void BlockGrid::subScaleRange(DType type, int& lo, int& hi) noexcept
{
    lo = 0;
    hi = 63;
    if (type == DType::Q2_K) hi = 15;
    if (type == DType::Q6_K) {
        lo = -128;
        hi = 127;
    }
}

int BlockGrid::subScale(DType type, const std::uint8_t* block, int p)
{
    switch (type) {
    case DType::Q4_K:
    case DType::Q5_K: {
        std::uint8_t sc, m;
        getScaleMinK4(p % 8, reinterpret_cast<const BlockQ4_K*>(block)->scales, &sc, &m);
        return p < 8 ? sc : m;
    }
    case DType::Q2_K: {
        const std::uint8_t v = reinterpret_cast<const BlockQ2_K*>(block)->scales[p % 16];
        return p < 16 ? (v & 0xF) : (v >> 4);
    }
    case DType::Q3_K: return q3kScaleCode(reinterpret_cast<const BlockQ3_K*>(block)->scales, p);
    case DType::Q6_K: return reinterpret_cast<const BlockQ6_K*>(block)->scales[p];
    case DType::IQ4_XS: return iq4xsScaleCode(*reinterpret_cast<const BlockIQ4_XS*>(block), p);
    default: return 0;
    }
}

void BlockGrid::setSubScale(DType type, std::uint8_t* block, int p, int v)
{
    switch (type) {
    case DType::Q4_K:
    case DType::Q5_K: {
        std::uint8_t* scales = reinterpret_cast<BlockQ4_K*>(block)->scales;
        std::uint8_t ls[8], lm[8];
        for (int j = 0; j < 8; ++j) getScaleMinK4(j, scales, &ls[j], &lm[j]);
        (p < 8 ? ls[p] : lm[p - 8]) = static_cast<std::uint8_t>(v);
        packScaleMinK4(ls, lm, scales);
        break;
    }
    case DType::Q2_K: setNibble(reinterpret_cast<BlockQ2_K*>(block)->scales[p % 16], p >= 16, v); break;
    case DType::Q3_K: {
        std::uint8_t* scales = reinterpret_cast<BlockQ3_K*>(block)->scales;
        if (p < 8)
            setBits(scales[p], 0, 4, v & 0xF);
        else
            setBits(scales[p - 8], 4, 4, v & 0xF);
        setBits(scales[8 + p % 4], 2 * (p / 4), 2, v >> 4);
        break;
    }
    case DType::Q6_K: reinterpret_cast<BlockQ6_K*>(block)->scales[p] = static_cast<std::int8_t>(v); break;
    case DType::IQ4_XS: {
        auto& b = *reinterpret_cast<BlockIQ4_XS*>(block);
        setBits(b.scalesL[p / 2], 4 * (p % 2), 4, v & 0xF);
        std::uint16_t h = b.scalesH;
        h = static_cast<std::uint16_t>((h & ~(3u << (2 * p))) | (static_cast<unsigned>(v >> 4) << (2 * p)));
        b.scalesH = h;
        break;
    }
    default: break;
    }
}

int BlockGrid::code(DType type, const std::uint8_t* block, int e)
{
    switch (type) {
    case DType::Q4_0: return nibble(reinterpret_cast<const BlockQ4_0*>(block)->qs[e % 16], e >= 16);
    case DType::Q8_0: return reinterpret_cast<const BlockQ8_0*>(block)->qs[e];
    case DType::Q2_K: {
        const int h = e / 128, r = e % 128;
        return (reinterpret_cast<const BlockQ2_K*>(block)->qs[32 * h + r % 32] >> (2 * (r / 32))) & 3;
    }
    case DType::Q3_K: {
        const auto& b = *reinterpret_cast<const BlockQ3_K*>(block);
        const int h = e / 128, r = e % 128;
        const int low = (b.qs[32 * h + r % 32] >> (2 * (r / 32))) & 3;
        const int high = (b.hmask[e % 32] >> (e / 32)) & 1;
        return low + 4 * high;
    }
    case DType::Q4_K: {
        const int c = e / 64, half = (e % 64) / 32, l = e % 32;
        return nibble(reinterpret_cast<const BlockQ4_K*>(block)->qs[32 * c + l], half == 1);
    }
    case DType::Q5_K: {
        const auto& b = *reinterpret_cast<const BlockQ5_K*>(block);
        const int c = e / 64, half = (e % 64) / 32, l = e % 32;
        return nibble(b.qs[32 * c + l], half == 1) | (((b.qh[l] >> (2 * c + half)) & 1) << 4);
    }
    case DType::Q6_K: {
        const auto& b = *reinterpret_cast<const BlockQ6_K*>(block);
        const int t = e / 128, r = e % 128, quarter = r / 32, l = r % 32;
        const int low = nibble(b.ql[64 * t + l + 32 * (quarter % 2)], quarter >= 2);
        return low | (((b.qh[32 * t + l] >> (2 * quarter)) & 3) << 4);
    }
    case DType::IQ4_XS: {
        const int ib = e / 32, j = e % 32;
        return nibble(reinterpret_cast<const BlockIQ4_XS*>(block)->qs[16 * ib + j % 16], j >= 16);
    }
    default: return 0;
    }
}

void BlockGrid::setCode(DType type, std::uint8_t* block, int e, int code)
{
    switch (type) {
    case DType::Q4_0: setNibble(reinterpret_cast<BlockQ4_0*>(block)->qs[e % 16], e >= 16, code); break;
    case DType::Q8_0: reinterpret_cast<BlockQ8_0*>(block)->qs[e] = static_cast<std::int8_t>(code); break;
    case DType::Q2_K: {
        const int h = e / 128, r = e % 128;
        setBits(reinterpret_cast<BlockQ2_K*>(block)->qs[32 * h + r % 32], 2 * (r / 32), 2, code);
        break;
    }
    case DType::Q3_K: {
        auto& b = *reinterpret_cast<BlockQ3_K*>(block);
        const int h = e / 128, r = e % 128;
        setBits(b.qs[32 * h + r % 32], 2 * (r / 32), 2, code & 3);
        setBits(b.hmask[e % 32], e / 32, 1, code >> 2);
        break;
    }
    case DType::Q4_K: {
        const int c = e / 64, half = (e % 64) / 32, l = e % 32;
        setNibble(reinterpret_cast<BlockQ4_K*>(block)->qs[32 * c + l], half == 1, code);
        break;
    }
    case DType::Q5_K: {
        auto& b = *reinterpret_cast<BlockQ5_K*>(block);
        const int c = e / 64, half = (e % 64) / 32, l = e % 32;
        setNibble(b.qs[32 * c + l], half == 1, code & 0xF);
        setBits(b.qh[l], 2 * c + half, 1, code >> 4);
        break;
    }
    case DType::Q6_K: {
        auto& b = *reinterpret_cast<BlockQ6_K*>(block);
        const int t = e / 128, r = e % 128, quarter = r / 32, l = r % 32;
        setNibble(b.ql[64 * t + l + 32 * (quarter % 2)], quarter >= 2, code & 0xF);
        setBits(b.qh[32 * t + l], 2 * quarter, 2, code >> 4);
        break;
    }
    case DType::IQ4_XS: {
        const int ib = e / 32, j = e % 32;
        setNibble(reinterpret_cast<BlockIQ4_XS*>(block)->qs[16 * ib + j % 16], j >= 16, code);
        break;
    }
    default: break;
    }
}

} // namespace condense::quant
