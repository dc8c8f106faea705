// AVX2 + FMA + F16C kernels. Functions carry target attributes (no per-file ISA flags), so
// nothing here can leak AVX2 code into inline functions other units share.
#include "core/model/gemm_kernels.h"
#include "core/tensor/float_convert.h"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONDENSE_AVX2 __attribute__((target("avx2,fma,f16c")))
#define CONDENSE_HAVE_AVX2 1
#endif

namespace condense::model::kernels {

#if CONDENSE_HAVE_AVX2
namespace {

CONDENSE_AVX2 inline float hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

CONDENSE_AVX2 float dotAvx2(const float* a, const float* b, std::int64_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    std::int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float s = hsum(_mm256_add_ps(s0, s1));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
}

CONDENSE_AVX2 void axpyAvx2(float a, const float* x, float* y, std::int64_t n)
{
    const __m256 va = _mm256_set1_ps(a);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] += a * x[i];
}

CONDENSE_AVX2 void scaleAvx2(float a, float* y, std::int64_t n)
{
    const __m256 va = _mm256_set1_ps(a);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(va, _mm256_loadu_ps(y + i)));
    for (; i < n; ++i) y[i] *= a;
}

// exp(x) for 8 floats: Cephes' expf (range reduction by ln 2 in two parts, degree-6 polynomial),
// within 2 ulp of std::exp on [-87, 88]; inputs are clamped to that range.
CONDENSE_AVX2 inline __m256 exp8(__m256 x)
{
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)), _mm256_set1_ps(88.3f));
    const __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(e));
}

CONDENSE_AVX2 float expShiftAvx2(float* x, float shift, std::int64_t n)
{
    const __m256 vs = _mm256_set1_ps(shift);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), vs)));
    if (i < n) {
        alignas(32) float tmp[8] = {};
        for (std::int64_t j = i; j < n; ++j) tmp[j - i] = x[j];
        alignas(32) float out[8];
        _mm256_store_ps(out, exp8(_mm256_sub_ps(_mm256_load_ps(tmp), vs)));
        for (std::int64_t j = i; j < n; ++j) x[j] = out[j - i];
    }
    float sum = 0.0f; // in key order, as the attention block kernel sums per lane
    for (std::int64_t j = 0; j < n; ++j) sum += x[j];
    return sum;
}

CONDENSE_AVX2 void siluMulAvx2(float* g, const float* u, std::int64_t n)
{
    const __m256 one = _mm256_set1_ps(1.0f);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(g + i);
        const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), v));
        _mm256_storeu_ps(g + i, _mm256_mul_ps(_mm256_div_ps(v, _mm256_add_ps(one, e)), _mm256_loadu_ps(u + i)));
    }
    for (; i < n; ++i) g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
}

CONDENSE_AVX2 double sumSquaresAvx2(const float* x, std::int64_t n)
{
    // Float lanes per 256 elements, summed into a double: far below float32 output precision.
    double total = 0.0;
    std::int64_t i = 0;
    while (i + 8 <= n) {
        __m256 acc = _mm256_setzero_ps();
        const std::int64_t end = std::min(n, i + 256);
        for (; i + 8 <= end; i += 8) {
            const __m256 v = _mm256_loadu_ps(x + i);
            acc = _mm256_fmadd_ps(v, v, acc);
        }
        total += static_cast<double>(hsum(acc));
    }
    for (; i < n; ++i) total += static_cast<double>(x[i]) * static_cast<double>(x[i]);
    return total;
}

// Scores of 8 keys per vector from transposed keys: one FMA chain over d per key.
CONDENSE_AVX2 void scoresTAvx2(const float* q, const float* kt, std::int64_t ldk, std::int64_t nKeys, std::int64_t n,
                               float scale, float* out)
{
    const __m256 vs = _mm256_set1_ps(scale);
    std::int64_t j = 0;
    for (; j + 16 <= nKeys; j += 16) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        for (std::int64_t d = 0; d < n; ++d) {
            const __m256 qd = _mm256_set1_ps(q[d]);
            a0 = _mm256_fmadd_ps(qd, _mm256_loadu_ps(kt + d * ldk + j), a0);
            a1 = _mm256_fmadd_ps(qd, _mm256_loadu_ps(kt + d * ldk + j + 8), a1);
        }
        _mm256_storeu_ps(out + j, _mm256_mul_ps(a0, vs));
        _mm256_storeu_ps(out + j + 8, _mm256_mul_ps(a1, vs));
    }
    for (; j < nKeys; j += 8) {
        const std::int64_t cnt = std::min<std::int64_t>(8, nKeys - j);
        const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(cnt)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
        __m256 a = _mm256_setzero_ps();
        for (std::int64_t d = 0; d < n; ++d)
            a = _mm256_fmadd_ps(_mm256_set1_ps(q[d]), _mm256_maskload_ps(kt + d * ldk + j, m), a);
        _mm256_maskstore_ps(out + j, m, _mm256_mul_ps(a, vs));
    }
}

// Output rows of up to 64 floats stay in registers over all rows of the sum.
CONDENSE_AVX2 void weightedRowsAvx2(const float* w, const float* rows, std::int64_t nRows, std::int64_t n, float* out)
{
    std::int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m256 acc[8];
        for (auto& a : acc) a = _mm256_setzero_ps();
        for (std::int64_t j = 0; j < nRows; ++j) {
            const __m256 wj = _mm256_set1_ps(w[j]);
            const float* r = rows + j * n + i;
            for (int v = 0; v < 8; ++v) acc[v] = _mm256_fmadd_ps(wj, _mm256_loadu_ps(r + 8 * v), acc[v]);
        }
        for (int v = 0; v < 8; ++v) _mm256_storeu_ps(out + i + 8 * v, acc[v]);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (std::int64_t j = 0; j < nRows; ++j) acc = _mm256_fmadd_ps(_mm256_set1_ps(w[j]), _mm256_loadu_ps(rows + j * n + i), acc);
        _mm256_storeu_ps(out + i, acc);
    }
    for (; i < n; ++i) {
        float a = 0.0f;
        for (std::int64_t j = 0; j < nRows; ++j) a = std::fma(w[j], rows[j * n + i], a);
        out[i] = a;
    }
}

const VecOps kAvx2Ops{&dotAvx2,     &axpyAvx2,         &scaleAvx2, &scoresTAvx2, &sumSquaresAvx2, &expShiftAvx2,
                      &siluMulAvx2, &weightedRowsAvx2, nullptr};

// Float weights: dot-product tiles of 4 rows x up to 3 tokens (12 accumulators), weights
// widened in registers; each output's sum runs in the same order whatever the tile shape, so
// results do not depend on the batch.
CONDENSE_AVX2 inline __m256 loadW8(DType type, const std::byte* p)
{
    if (type == DType::F16) return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    if (type == DType::BF16)
        return _mm256_castsi256_ps(
            _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))), 16));
    return _mm256_loadu_ps(reinterpret_cast<const float*>(p));
}

template <int RM, int RN>
CONDENSE_AVX2 void floatDotTile(DType type, const std::byte* w, std::size_t wrb, const float* x, std::size_t ldx, std::int64_t k,
                                float* y, std::int64_t ldy)
{
    const std::size_t es = type == DType::F32 ? 4 : 2;
    __m256 acc[RM][RN];
    for (int r = 0; r < RM; ++r)
        for (int j = 0; j < RN; ++j) acc[r][j] = _mm256_setzero_ps();
    const std::int64_t k8 = k / 8 * 8;
    for (std::int64_t i = 0; i < k8; i += 8) {
        __m256 xv[RN];
        for (int j = 0; j < RN; ++j) xv[j] = _mm256_loadu_ps(x + j * ldx + i);
        for (int r = 0; r < RM; ++r) {
            const __m256 wv = loadW8(type, w + r * wrb + static_cast<std::size_t>(i) * es);
            for (int j = 0; j < RN; ++j) acc[r][j] = _mm256_fmadd_ps(wv, xv[j], acc[r][j]);
        }
    }
    for (int j = 0; j < RN; ++j)
        for (int r = 0; r < RM; ++r) {
            float s = hsum(acc[r][j]);
            if (k8 < k) {
                float tail[8];
                convertToF32(type, w + r * wrb + static_cast<std::size_t>(k8) * es, tail, static_cast<std::size_t>(k - k8));
                for (std::int64_t i = k8; i < k; ++i) s += tail[i - k8] * x[j * ldx + i];
            }
            y[j * ldy + r] = s;
        }
}

template <int RM>
CONDENSE_AVX2 void floatDotRows(const GemmTask& t, std::int64_t r)
{
    const std::byte* w = t.w + static_cast<std::size_t>(r) * t.wRowBytes;
    const std::size_t ldx = t.xRowBytes / sizeof(float);
    const auto* x = reinterpret_cast<const float*>(t.x);
    std::int64_t j = 0;
    for (; j + 3 <= t.n; j += 3) floatDotTile<RM, 3>(t.type, w, t.wRowBytes, x + j * ldx, ldx, t.k, t.y + j * t.ldy + r, t.ldy);
    if (t.n - j == 2) floatDotTile<RM, 2>(t.type, w, t.wRowBytes, x + j * ldx, ldx, t.k, t.y + j * t.ldy + r, t.ldy);
    else if (t.n - j == 1) floatDotTile<RM, 1>(t.type, w, t.wRowBytes, x + j * ldx, ldx, t.k, t.y + j * t.ldy + r, t.ldy);
}

CONDENSE_AVX2 void gemmFloatDot(const GemmTask& t)
{
    std::int64_t r = t.r0;
    for (; r + 4 <= t.r1; r += 4) floatDotRows<4>(t, r);
    for (; r < t.r1; ++r) floatDotRows<1>(t, r);
}

} // namespace

GemmChoice gemmAvx2(DType type, std::int64_t)
{
    if (type == DType::F32 || type == DType::F16 || type == DType::BF16) return {ActLayout::F32, &gemmFloatDot};
    return {};
}
PrepareActFn prepareAvx2(ActLayout) { return nullptr; }
const VecOps& vecOpsAvx2() { return kAvx2Ops; }

#else

GemmChoice gemmAvx2(DType, std::int64_t) { return {}; }
PrepareActFn prepareAvx2(ActLayout) { return nullptr; }
const VecOps& vecOpsAvx2() { return vecOpsScalar(); }

#endif

} // namespace condense::model::kernels
