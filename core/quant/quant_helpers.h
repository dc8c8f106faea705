#pragma once
// Scalar building blocks shared by the block quantizers: rounding primitives, the scale
// searches of ggml's quantizers, and the IQ4 codebook. Specification:
// ../shared/reference/formats.md 3.0 (primitives) and 3.5 (searches); the algorithms are
// those of ggml-org/ggml src/ggml-quants.c, re-expressed here.
//
// Byte identity with llama-quantize depends on every detail below: float (never double)
// arithmetic, sums accumulated in index order, products evaluated left to right exactly as
// written (w*x*l is (w*x)*l), and no a*b+c contraction into FMA. The unit is compiled with
// -ffp-contract=off and without -ffast-math (core/CMakeLists.txt).

#include <cstdint>
#include <cstring>

namespace condense::quant {

// Blocks whose largest |x| is below this are treated as all zero (ggml GROUP_MAX_EPS).
constexpr float kGroupMaxEps = 1e-15f;

// Round half to even by adding 1.5*2^23 and reading the low mantissa bits. Exact for
// |f| <= 4194303; outside that range (and for NaN/Inf) it returns the same wrapped value
// ggml's nearest_int does, which keeps even degenerate inputs byte-identical.
inline int nearestInt(float f)
{
    const float v = f + 12582912.0f;
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    return static_cast<int>(bits & 0x007fffffu) - 0x00400000;
}

// C's float -> integer conversion (truncation toward zero) with the x86-64 result for
// values that do not fit (NaN, +-Inf, |f| >= 2^31): INT32_MIN, as cvttss2si returns. The
// legacy quantizers cast floats straight to int8/uint8; only a non-finite intermediate
// (a scale so tiny that its inverse overflows) ever reaches the out-of-range case.
inline std::int32_t truncToInt(float f)
{
    if (!(f >= -2147483648.0f && f < 2147483648.0f)) return INT32_MIN;
    return static_cast<std::int32_t>(f);
}

// Symmetric search (ggml make_qx_quants with rmse_type 1): levels l in [-nmax, nmax-1],
// L[i] = l + nmax, weights w (nullptr: x^2). Returns the least-squares scale of the best of
// 19 candidate inverse scales -(nmax + 0.1*is)/max, is in [-9, 9]; 0 for an all-zero block.
float makeQxQuants(int n, int nmax, const float* x, std::int8_t* L, const float* w);

// Symmetric search with coordinate descent on x^2 weights (ggml make_q3_quants, do_rmse):
// used by Q3_K without importance. L[i] = l + nmax.
float makeQ3Quants(int n, int nmax, const float* x, std::int8_t* L);

// Asymmetric search x ~ scale*L + min, L in [0, nmax], min <= 0 (ggml make_qkx2_quants /
// make_qkx3_quants; they differ only in the default weights). Tries inverse scales
// (rmin + rdelta*is + nmax)/(max - min) for is in [0, nstep], refitting scale and min by
// weighted least squares; the error is |.| (useMad) or squared. Writes -min to *theMin.
// `w` nullptr means w = x^2 (make_qkx3 semantics). Laux is scratch of n bytes.
float makeQkxQuants(int n, int nmax, const float* x, const float* w, std::uint8_t* L, float* theMin, std::uint8_t* Laux,
                    float rmin, float rdelta, int nstep, bool useMad);

// Quantizes non-negative values (sub-block scales or mins) to [0, nmax] codes with weights
// w (ggml make_qp_quants). Returns the super-block scale.
float makeQpQuants(int n, int nmax, const float* x, std::uint8_t* L, const float* w);

// 6-bit scale/min j of a Q4_K/Q5_K scales[12] array (ggml get_scale_min_k4).
inline void getScaleMinK4(int j, const std::uint8_t* q, std::uint8_t* scale, std::uint8_t* min)
{
    if (j < 4) {
        *scale = q[j] & 63;
        *min = q[j + 4] & 63;
    } else {
        *scale = static_cast<std::uint8_t>((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *min = static_cast<std::uint8_t>((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}
// Inverse of getScaleMinK4: packs 8 six-bit scales ls and mins lm into scales12 (fully
// overwritten).
void packScaleMinK4(const std::uint8_t* ls, const std::uint8_t* lm, std::uint8_t* scales12);

// The part Q4_K and Q5_K share: levels L[256] in [0, nmax] plus the packed scales12 and the
// f16 d/dmin of one super-block of 8 sub-blocks of 32 (formats.md 3.3, "Q4_K ref/imatrix").
//   qw == nullptr: w = sqrt(sum(x^2)/32) + |x| per sub-block, makeQkxQuants(32, nmax, rmin,
//     rdelta, nstep), codes min(63, nearestInt(63/max * v)) for scales and mins alike.
//   qw != nullptr: w = qw*sqrt(sigma2 + x^2) with sigma2 = 2*sum(x^2)/256,
//     makeQkxQuants(32, nmax, -0.9, 0.05, 36) and makeQpQuants(8, 63) codes (clamped to 63
//     only when clampImportanceCodes, which is where ggml's Q5_K and Q4_K differ).
// Then every level is re-derived from the f16-rounded d*ls and dmin*lm.
struct ScaleMinParams {
    int nmax;
    float rmin, rdelta;
    int nstep;
    bool clampImportanceCodes;
};
void quantizeScaleMinSuperBlock(const float* x, const float* qw, const ScaleMinParams& p, std::uint8_t* scales12,
                                std::uint16_t* d, std::uint16_t* dmin, std::uint8_t* L);
// The 16 per-sub-block searches of a 256-element super-block (sub-block k = elements
// 16k..16k+15) as one call, so an optimized variant can run several sub-blocks at once.
//   makeQxQuants16x16: scales[k] = makeQxQuants(16, nmax, x+16k, L+16k, w ? w+16k : nullptr)
//   makeQ3Quants16x16: scales[k] = makeQ3Quants(16, nmax, x+16k, L+16k)
//   makeQkxQuants16x16: scales[k] = makeQkxQuants(16, nmax, x+16k, w+16k, L+16k, &mins[k], ...)
void makeQxQuants16x16(const float* x, int nmax, const float* w, std::int8_t* L, float* scales);
void makeQ3Quants16x16(const float* x, int nmax, std::int8_t* L, float* scales);
void makeQkxQuants16x16(const float* x, const float* w, int nmax, std::uint8_t* L, float* scales, float* mins,
                        float rmin, float rdelta, int nstep, bool useMad);

// Combines the 8 partial sums of a 32-element-block dot product (block i is accumulated into
// part[i % 8]) in the fixed order an 8-lane vector reduction uses, so that scalar and SIMD dots
// agree bit for bit: ((p0+p4) + (p2+p6)) + ((p1+p5) + (p3+p7)).
inline float reduce8(const float* p)
{
    return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}

// The IQ4_NL / IQ4_XS non-linear codebook (ggml kvalues_iq4nl).
inline constexpr std::int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                                 1,    13,   25,  38,  53,  69,  89,  113};
// Index of the codebook entry nearest to x (ties between neighbours go to the upper one).
inline int iq4BestIndex(float x)
{
    const std::int8_t* v = kIq4nlValues;
    if (x <= static_cast<float>(v[0])) return 0;
    if (x >= static_cast<float>(v[15])) return 15;
    int lo = 0, hi = 15; // v[lo] <= x < v[hi]
    while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        if (x < static_cast<float>(v[mid]))
            hi = mid;
        else
            lo = mid;
    }
    return x - static_cast<float>(v[hi - 1]) < static_cast<float>(v[hi]) - x ? hi - 1 : hi;
}
// Scale of one 32-element IQ4 block: an initial guess from the signed max, least squares,
// then 15 more candidate inverse scales (itry + values[0])/max, itry in [-7, 7]. Returns 0
// for an all-zero block. `w` are the per-element weights (x^2 or importance-derived).
float iq4BlockScale(const float* x, const float* w);
// iq4BlockScale for 8 consecutive blocks: scales[b] = iq4BlockScale(x + 32b, w + 32b).
void iq4BlockScales8(const float* x, const float* w, float* scales);

// The block searches the K-quants and IQ4 formats run, as a set: the scalar reference
// (scalarSearches()) or an optimized set writing the same results (avx2::searches()).
struct SearchKernels {
    void (*scaleMinSuperBlock)(const float* x, const float* qw, const ScaleMinParams& p, std::uint8_t* scales12,
                               std::uint16_t* d, std::uint16_t* dmin, std::uint8_t* L);
    void (*qx16x16)(const float* x, int nmax, const float* w, std::int8_t* L, float* scales);
    void (*q316x16)(const float* x, int nmax, std::int8_t* L, float* scales);
    void (*qkx16x16)(const float* x, const float* w, int nmax, std::uint8_t* L, float* scales, float* mins, float rmin,
                     float rdelta, int nstep, bool useMad);
    void (*iq4Scales8)(const float* x, const float* w, float* scales);
};
const SearchKernels& scalarSearches() noexcept;

} // namespace condense::quant
