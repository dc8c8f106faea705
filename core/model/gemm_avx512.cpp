// AVX-512 kernels (F, BW, VL, VNNI). Functions carry target attributes (no per-file ISA
// flags), so nothing here can leak AVX-512 code into inline functions other units share;
// Matmul calls them only when detectCpuLevel() says the CPU has these extensions.
//
// Float weights (F32 / F16 / BF16):
//   n >= kPanelMinTokens: a blocked outer-product GEMM (the BLIS scheme). The activations are
//     transposed once per batch into panels of 12 tokens (F32Panel). For each block of 256
//     k-columns, 32 weight rows are widened to float and packed k-major (32 KiB, stays in L1);
//     a micro-tile of 32 rows x 12 tokens keeps 24 vector accumulators, and per k loads two
//     weight vectors and broadcasts 12 activations: 24 FMAs per 14 loads, no horizontal sums.
//     Partial sums of successive k-blocks accumulate in y.
//   n < kPanelMinTokens (generation): dot-product tiles of 4 rows x up to 4 tokens, the
//     weights widened in registers, one horizontal sum per output (one token: a row at a time).
// Block-quantized weights: int8 outer-product tiles (n >= 8) and few-token dot kernels
// (n < 8) that perform the same arithmetic (weight_unpack.h); details at each section.
// Attention: a block of up to 16 queries of one head per call, queries in the lanes.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/model/aligned_buffer.h"
#include "core/model/gemm_kernels.h"
#include "core/model/weight_unpack.h"
#include "core/quant/block_types.h"
#include "core/quant/quant_helpers.h"
#include "core/tensor/float_convert.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
// GCC 12's AVX-512 intrinsics pass _mm512_undefined_*() as the unused merge source, which
// -Wmaybe-uninitialized reports once they are inlined here (a known false positive).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#define CONDENSE_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512dq,avx2,fma,f16c")))
#define CONDENSE_HAVE_AVX512 1
#endif

namespace condense::model::kernels {

#if CONDENSE_HAVE_AVX512
namespace {

// f16 -> f32 with F16C (exact, the same value as core's software fp16ToFp32).
CONDENSE_AVX512 inline float halfToFloat(std::uint16_t h) { return _cvtsh_ss(h); }

constexpr std::int64_t kPanelMinTokens = 8; // fewer tokens: dot-product tiles
// Software prefetch distance of the few-token kernels, which stream the weights from memory
// once per token: the hardware prefetchers alone left single-core bandwidth at ~20 GB/s on
// Zen 5; 4 KiB ahead reaches ~28 GB/s (one core) and ~42 GB/s (two).
constexpr std::size_t kPrefetchAhead = 4096;
constexpr std::int64_t kKBlock = 256;        // k columns per packed block (32 rows x 256 floats = 32 KiB, L1)
constexpr int kRowPanel = 32;                // weight rows per packed block (two vectors)

// ---------------------------------------------------------------- float weights

CONDENSE_AVX512 inline __m512 loadWeights16(DType type, const std::byte* p)
{
    if (type == DType::F16) return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    if (type == DType::BF16)
        return _mm512_castsi512_ps(
            _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p))), 16));
    return _mm512_loadu_ps(reinterpret_cast<const float*>(p));
}

CONDENSE_AVX512 inline __m512 loadWeightsMasked(DType type, const std::byte* p, __mmask16 m)
{
    if (type == DType::F16) return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
    if (type == DType::BF16)
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, p)), 16));
    return _mm512_maskz_loadu_ps(m, p);
}

// In-register transpose of a 16 x 16 float block: r[i][j] -> r[j][i].
CONDENSE_AVX512 inline void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 8; ++i) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    __m512 u[16];
    for (int q = 0; q < 4; ++q) {
        const __m512d a = _mm512_castps_pd(t[4 * q]), b = _mm512_castps_pd(t[4 * q + 2]);
        const __m512d c = _mm512_castps_pd(t[4 * q + 1]), d = _mm512_castps_pd(t[4 * q + 3]);
        u[4 * q] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
        u[4 * q + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
        u[4 * q + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
        u[4 * q + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
    }
    // u[4q + c], 128-bit lane L = column 4L + c of rows 4q .. 4q+3.
    for (int c = 0; c < 4; ++c) {
        const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), w0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xEE);
        const __m512 v1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44), w1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xEE);
        r[c] = _mm512_shuffle_f32x4(v0, v1, 0x88);
        r[4 + c] = _mm512_shuffle_f32x4(v0, v1, 0xDD);
        r[8 + c] = _mm512_shuffle_f32x4(w0, w1, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(w0, w1, 0xDD);
    }
}

// Packs weight rows [0, rows) (rows <= 32) x columns [k0, k0 + len) as floats into
// wp[j * 32 + r] (k-major, 32 rows per k; rows past `rows` are zero).
CONDENSE_AVX512 void packFloatRows(DType type, const std::byte* w, std::size_t rowBytes, int rows, std::int64_t k0,
                                   std::int64_t len, float* wp)
{
    const std::size_t es = type == DType::F32 ? 4 : 2;
    for (int rr = 0; rr < kRowPanel; rr += 16) {
        for (std::int64_t j = 0; j < len; j += 16) {
            const std::int64_t cols = std::min<std::int64_t>(16, len - j);
            const auto m = static_cast<__mmask16>(cols == 16 ? 0xFFFF : (1u << cols) - 1);
            __m512 r[16];
            for (int i = 0; i < 16; ++i) {
                if (rr + i >= rows) {
                    r[i] = _mm512_setzero_ps();
                    continue;
                }
                const std::byte* src = w + static_cast<std::size_t>(rr + i) * rowBytes + static_cast<std::size_t>(k0 + j) * es;
                r[i] = cols == 16 ? loadWeights16(type, src) : loadWeightsMasked(type, src, m);
            }
            transpose16(r);
            for (std::int64_t c = 0; c < cols; ++c) _mm512_store_ps(wp + (j + c) * kRowPanel + rr, r[c]);
        }
    }
}

// Transposes up to 12 token rows into one panel: dst[k * 12 + t] = x[t * ldx + k] (zero past `rows`).
CONDENSE_AVX512 void prepareF32Panel(const float* x, std::int64_t ldx, std::int64_t rows, std::byte* dst, std::int64_t k)
{
    auto* out = reinterpret_cast<float*>(dst);
    for (std::int64_t i = 0; i < k; i += 16) {
        const std::int64_t cols = std::min<std::int64_t>(16, k - i);
        const auto m = static_cast<__mmask16>(cols == 16 ? 0xFFFF : (1u << cols) - 1);
        __m512 r[16];
        for (int t = 0; t < 16; ++t)
            r[t] = t < rows ? _mm512_maskz_loadu_ps(m, x + t * ldx + i) : _mm512_setzero_ps();
        transpose16(r);
        for (std::int64_t c = 0; c < cols; ++c)
            _mm512_mask_storeu_ps(out + (i + c) * kFloatPanel, 0x0FFF, r[c]);
    }
}

// y[t][0..31] (+)= sum_j wp[j][0..31] * xp[j][t] for the 12 tokens of a panel over `len` k.
CONDENSE_AVX512 void floatMicroTile(const float* wp, const float* xp, std::int64_t len, float* y, std::int64_t ldy,
                                    int rows, int tokens, bool accumulate)
{
    __m512 a0[kFloatPanel], a1[kFloatPanel];
    for (int t = 0; t < kFloatPanel; ++t) a0[t] = a1[t] = _mm512_setzero_ps();
    for (std::int64_t j = 0; j < len; ++j) {
        const __m512 w0 = _mm512_load_ps(wp + j * kRowPanel), w1 = _mm512_load_ps(wp + j * kRowPanel + 16);
        const float* xj = xp + j * kFloatPanel;
        for (int t = 0; t < kFloatPanel; ++t) {
            const __m512 b = _mm512_set1_ps(xj[t]);
            a0[t] = _mm512_fmadd_ps(w0, b, a0[t]);
            a1[t] = _mm512_fmadd_ps(w1, b, a1[t]);
        }
    }
    const auto m0 = static_cast<__mmask16>(rows >= 16 ? 0xFFFF : (1u << rows) - 1);
    const auto m1 = static_cast<__mmask16>(rows >= 32 ? 0xFFFF : rows <= 16 ? 0 : (1u << (rows - 16)) - 1);
    for (int t = 0; t < tokens; ++t) {
        float* yt = y + t * ldy;
        if (accumulate) {
            a0[t] = _mm512_add_ps(a0[t], _mm512_maskz_loadu_ps(m0, yt));
            a1[t] = _mm512_add_ps(a1[t], _mm512_maskz_loadu_ps(m1, yt + 16));
        }
        _mm512_mask_storeu_ps(yt, m0, a0[t]);
        _mm512_mask_storeu_ps(yt + 16, m1, a1[t]);
    }
}

// Blocked outer-product GEMM: for each block of kKBlock columns, each panel of 32 weight rows
// is packed (widened, k-major) into an L1-sized buffer, then every 12-token activation panel
// streams past it; partial sums accumulate in y.
CONDENSE_AVX512 void gemmFloatPanel(const GemmTask& t)
{
    thread_local AlignedBuffer packed;
    packed.reserve(static_cast<std::size_t>(kKBlock * kRowPanel) * sizeof(float));
    float* wp = packed.as<float>();
    const auto* x = reinterpret_cast<const float*>(t.x);
    const std::size_t panelFloats = t.xRowBytes / sizeof(float);
    const std::int64_t panels = (t.n + kFloatPanel - 1) / kFloatPanel;
    for (std::int64_t k0 = 0; k0 < t.k; k0 += kKBlock) {
        const std::int64_t len = std::min(kKBlock, t.k - k0);
        for (std::int64_t r = t.r0; r < t.r1; r += kRowPanel) {
            const int rows = static_cast<int>(std::min<std::int64_t>(kRowPanel, t.r1 - r));
            packFloatRows(t.type, t.w + static_cast<std::size_t>(r) * t.wRowBytes, t.wRowBytes, rows, k0, len, wp);
            for (std::int64_t p = 0; p < panels; ++p) {
                const int tokens = static_cast<int>(std::min<std::int64_t>(kFloatPanel, t.n - p * kFloatPanel));
                floatMicroTile(wp, x + static_cast<std::size_t>(p) * panelFloats + k0 * kFloatPanel, len,
                               t.y + p * kFloatPanel * t.ldy + r, t.ldy, rows, tokens, k0 > 0);
            }
        }
    }
}

// Dot-product tile: RM weight rows x RN tokens, weights widened in registers.
template <int RM, int RN>
CONDENSE_AVX512 void floatDotTile(DType type, const std::byte* w, std::size_t wrb, const float* x, std::size_t ldx,
                                  std::int64_t k, float* y, std::int64_t ldy)
{
    const std::size_t es = type == DType::F32 ? 4 : 2;
    __m512 acc[RM][RN];
    for (int r = 0; r < RM; ++r)
        for (int j = 0; j < RN; ++j) acc[r][j] = _mm512_setzero_ps();
    std::int64_t i = 0;
    for (; i + 16 <= k; i += 16) {
        __m512 xv[RN];
        for (int j = 0; j < RN; ++j) xv[j] = _mm512_loadu_ps(x + j * ldx + i);
        for (int r = 0; r < RM; ++r) {
            const __m512 wv = loadWeights16(type, w + r * wrb + static_cast<std::size_t>(i) * es);
            for (int j = 0; j < RN; ++j) acc[r][j] = _mm512_fmadd_ps(wv, xv[j], acc[r][j]);
        }
    }
    if (i < k) {
        const auto m = static_cast<__mmask16>((1u << (k - i)) - 1);
        __m512 xv[RN];
        for (int j = 0; j < RN; ++j) xv[j] = _mm512_maskz_loadu_ps(m, x + j * ldx + i);
        for (int r = 0; r < RM; ++r) {
            const __m512 wv = loadWeightsMasked(type, w + r * wrb + static_cast<std::size_t>(i) * es, m);
            for (int j = 0; j < RN; ++j) acc[r][j] = _mm512_fmadd_ps(wv, xv[j], acc[r][j]);
        }
    }
    for (int j = 0; j < RN; ++j)
        for (int r = 0; r < RM; ++r) y[j * ldy + r] = _mm512_reduce_add_ps(acc[r][j]);
}

template <int RM>
CONDENSE_AVX512 void floatDotRows(const GemmTask& t, std::int64_t r)
{
    const std::byte* w = t.w + static_cast<std::size_t>(r) * t.wRowBytes;
    const std::size_t ldx = t.xRowBytes / sizeof(float);
    const auto* x = reinterpret_cast<const float*>(t.x);
    std::int64_t j = 0;
    for (; j + 4 <= t.n; j += 4) floatDotTile<RM, 4>(t.type, w, t.wRowBytes, x + j * ldx, ldx, t.k, t.y + j * t.ldy + r, t.ldy);
    switch (t.n - j) {
    case 3: floatDotTile<RM, 3>(t.type, w, t.wRowBytes, x + j * ldx, ldx, t.k, t.y + j * t.ldy + r, t.ldy); break;
    case 2: floatDotTile<RM, 2>(t.type, w, t.wRowBytes, x + j * ldx, ldx, t.k, t.y + j * t.ldy + r, t.ldy); break;
    case 1: floatDotTile<RM, 1>(t.type, w, t.wRowBytes, x + j * ldx, ldx, t.k, t.y + j * t.ldy + r, t.ldy); break;
    default: break;
    }
}

// One token: each row read as a single sequential stream (the hardware prefetchers' best
// case), four accumulators per row to cover the FMA latency.
template <DType T>
CONDENSE_AVX512 void floatGemv(const GemmTask& t)
{
    const auto* x = reinterpret_cast<const float*>(t.x);
    constexpr std::size_t es = T == DType::F32 ? 4 : 2;
    const std::int64_t k64 = t.k / 64 * 64;
    for (std::int64_t r = t.r0; r < t.r1; ++r) {
        const std::byte* w = t.w + static_cast<std::size_t>(r) * t.wRowBytes;
        __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
        std::int64_t i = 0;
        for (; i < k64; i += 64) {
            for (std::size_t l = 0; l < 64 * es; l += 64)
                _mm_prefetch(reinterpret_cast<const char*>(w + static_cast<std::size_t>(i) * es + kPrefetchAhead + l), _MM_HINT_T0);
            a0 = _mm512_fmadd_ps(loadWeights16(T, w + static_cast<std::size_t>(i) * es), _mm512_loadu_ps(x + i), a0);
            a1 = _mm512_fmadd_ps(loadWeights16(T, w + static_cast<std::size_t>(i + 16) * es), _mm512_loadu_ps(x + i + 16), a1);
            a2 = _mm512_fmadd_ps(loadWeights16(T, w + static_cast<std::size_t>(i + 32) * es), _mm512_loadu_ps(x + i + 32), a2);
            a3 = _mm512_fmadd_ps(loadWeights16(T, w + static_cast<std::size_t>(i + 48) * es), _mm512_loadu_ps(x + i + 48), a3);
        }
        for (; i < t.k; i += 16) {
            const std::int64_t c = std::min<std::int64_t>(16, t.k - i);
            const auto m = static_cast<__mmask16>(c == 16 ? 0xFFFF : (1u << c) - 1);
            a0 = _mm512_fmadd_ps(loadWeightsMasked(T, w + static_cast<std::size_t>(i) * es, m), _mm512_maskz_loadu_ps(m, x + i), a0);
        }
        t.y[r] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
    }
}

CONDENSE_AVX512 void gemmFloatDot(const GemmTask& t)
{
    if (t.n == 1) {
        if (t.type == DType::F16) return floatGemv<DType::F16>(t);
        if (t.type == DType::BF16) return floatGemv<DType::BF16>(t);
        return floatGemv<DType::F32>(t);
    }
    std::int64_t r = t.r0;
    for (; r + 4 <= t.r1; r += 4) floatDotRows<4>(t, r);
    for (; r < t.r1; ++r) floatDotRows<1>(t, r);
}

// ---------------------------------------------------------------- block-quantized weights
//
// int8 outer-product tiles with VNNI. Activations are quantized once per batch exactly as
// ggml's Q8_K / Q8_0 (same integers and scales as core/quant's quantizers) into panels of 16
// tokens whose bytes are q + 128 (unsigned), 4 consecutive k per token, so one vector holds
// k..k+3 of 16 tokens. Weight rows are unpacked (weight_unpack.h) RM at a time into signed
// levels; vpdpbusd multiplies a panel vector by 4 levels of one row broadcast to every lane
// and adds the 4 products per token: 64 multiply-adds per instruction, no horizontal sums.
// Per group the integer sum (started at negSum, which cancels the +128) is converted and
// scaled by scale[g] * d_x; the min terms use the panel's group sums d_x * sum(q_x).

constexpr std::size_t kQ8KPanelSuperBlock = 256 * kPanel + kPanel * 4 + 8 * kPanel * 4; // 4672
constexpr std::size_t kQ8_0PanelBlock = 32 * kPanel + kPanel * 4;                         // 576
constexpr std::int64_t kQuantPanelMinTokens = 8;
constexpr int kQuantRows = 4;  // RM
constexpr int kQuantPanels = 2; // NT: panels of 16 tokens per tile

// Writes the 16 int32 values q (in [-127, 127]) of token t, k4 groups base..base+3, as q + 128.
CONDENSE_AVX512 inline void storePanelBytes(__m512i q, std::uint8_t* qs, int k4base, int t)
{
    const __m128i b = _mm512_cvtepi32_epi8(_mm512_add_epi32(q, _mm512_set1_epi32(128)));
    alignas(16) std::uint32_t d[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(d), b);
    for (int j = 0; j < 4; ++j) std::memcpy(qs + (k4base + j) * 64 + t * 4, &d[j], 4);
}

// ggml's nearest_int (round half to even through the 1.5 * 2^23 trick), 16 lanes.
CONDENSE_AVX512 inline __m512i nearestInt16(__m512 v)
{
    const __m512i bits = _mm512_castps_si512(_mm512_add_ps(v, _mm512_set1_ps(12582912.0f)));
    return _mm512_sub_epi32(_mm512_and_si512(bits, _mm512_set1_epi32(0x007fffff)), _mm512_set1_epi32(0x00400000));
}

// Quantizes 256 floats as ggml's quantize_row_q8_K (core/quant/q8_k.h): same integers and d.
// Returns d (0 and q = 0 for an all-zero block).
CONDENSE_AVX512 inline float quantizeQ8KBlock(const float* xb, __m512i q[16])
{
    const __m512 signMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    __m512 xv[16];
    __m512 amaxv = _mm512_setzero_ps();
    for (int v = 0; v < 16; ++v) {
        xv[v] = _mm512_loadu_ps(xb + 16 * v);
        amaxv = _mm512_max_ps(amaxv, _mm512_and_ps(xv[v], signMask));
    }
    const float amax = _mm512_reduce_max_ps(amaxv);
    if (!(amax > 0.0f)) {
        for (int v = 0; v < 16; ++v) q[v] = _mm512_setzero_si512();
        return 0.0f;
    }
    // The signed value of the first element of largest magnitude (as ggml scans).
    float mx = 0.0f;
    const __m512 am = _mm512_set1_ps(amax);
    for (int v = 0; v < 16; ++v) {
        const __mmask16 m = _mm512_cmp_ps_mask(_mm512_and_ps(xv[v], signMask), am, _CMP_EQ_OQ);
        if (m) {
            mx = xb[16 * v + __builtin_ctz(m)];
            break;
        }
    }
    const float iscale = -127.0f / mx;
    const __m512 is = _mm512_set1_ps(iscale);
    for (int v = 0; v < 16; ++v)
        q[v] = _mm512_min_epi32(nearestInt16(_mm512_mul_ps(is, xv[v])), _mm512_set1_epi32(127));
    return 1.0f / iscale;
}

CONDENSE_AVX512 void prepareQ8KPanel(const float* x, std::int64_t ldx, std::int64_t rows, std::byte* dst, std::int64_t k)
{
    const std::int64_t nsb = k / 256;
    for (std::int64_t sb = 0; sb < nsb; ++sb) {
        std::byte* p = dst + static_cast<std::size_t>(sb) * kQ8KPanelSuperBlock;
        auto* qs = reinterpret_cast<std::uint8_t*>(p);
        auto* dx = reinterpret_cast<float*>(p + 256 * kPanel);
        auto* bs = reinterpret_cast<std::int16_t*>(dx + kPanel); // [group pair][token][2]
        for (int t = 0; t < kPanel; ++t) {
            __m512i q[16];
            float d = 0.0f;
            if (t < rows) d = quantizeQ8KBlock(x + t * ldx + sb * 256, q);
            else
                for (auto& v : q) v = _mm512_setzero_si512();
            for (int v = 0; v < 16; ++v) {
                storePanelBytes(q[v], qs, 4 * v, t);
                bs[(v / 2) * 2 * kPanel + 2 * t + v % 2] = static_cast<std::int16_t>(_mm512_reduce_add_epi32(q[v]));
            }
            dx[t] = d;
        }
    }
}

// One row as ggml Q8_K blocks (d, qs, bsums), the same bytes as core/quant's quantizer.
CONDENSE_AVX512 void prepareGgmlQ8K(const float* x, std::int64_t, std::int64_t, std::byte* dst, std::int64_t k)
{
    auto* out = reinterpret_cast<quant::BlockQ8_K*>(dst);
    for (std::int64_t sb = 0; sb < k / 256; ++sb) {
        __m512i q[16];
        const float d = quantizeQ8KBlock(x + sb * 256, q);
        out[sb].d = d;
        for (int v = 0; v < 16; ++v) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out[sb].qs + 16 * v), _mm512_cvtepi32_epi8(q[v]));
            out[sb].bsums[v] = static_cast<std::int16_t>(_mm512_reduce_add_epi32(q[v]));
        }
    }
}

CONDENSE_AVX512 void prepareQ8_0Panel(const float* x, std::int64_t ldx, std::int64_t rows, std::byte* dst, std::int64_t k)
{
    const std::int64_t nb = k / 32;
    const __m512 signMask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
    const __m512 half = _mm512_set1_ps(0.5f);
    for (std::int64_t b = 0; b < nb; ++b) {
        std::byte* p = dst + static_cast<std::size_t>(b) * kQ8_0PanelBlock;
        auto* qs = reinterpret_cast<std::uint8_t*>(p);
        auto* dx = reinterpret_cast<float*>(p + 32 * kPanel);
        for (int t = 0; t < kPanel; ++t) {
            if (t >= rows) {
                storePanelBytes(_mm512_setzero_si512(), qs, 0, t);
                storePanelBytes(_mm512_setzero_si512(), qs, 4, t);
                dx[t] = 0.0f;
                continue;
            }
            const float* xb = x + t * ldx + b * 32;
            const __m512 v0 = _mm512_loadu_ps(xb), v1 = _mm512_loadu_ps(xb + 16);
            const float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_and_ps(v0, signMask), _mm512_and_ps(v1, signMask)));
            const float d = amax / 127.0f;
            const float id = d != 0.0f ? 1.0f / d : 0.0f;
            const __m512 vid = _mm512_set1_ps(id);
            __m512 v[2] = {v0, v1};
            for (int h = 0; h < 2; ++h) {
                // roundf: truncate, then step away from zero when the dropped part is >= 0.5.
                const __m512 s = _mm512_mul_ps(v[h], vid);
                const __m512 tr = _mm512_roundscale_ps(s, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
                const __mmask16 away = _mm512_cmp_ps_mask(_mm512_and_ps(_mm512_sub_ps(s, tr), signMask), half, _CMP_GE_OQ);
                const __m512 one = _mm512_or_ps(_mm512_set1_ps(1.0f), _mm512_andnot_ps(signMask, s));
                const __m512 r = _mm512_mask_add_ps(tr, away, tr, one);
                storePanelBytes(_mm512_cvttps_epi32(r), qs, 4 * h, t);
            }
            dx[t] = halfToFloat(fp32ToFp16(d));
        }
    }
}

CONDENSE_AVX512 inline void storeTransposed(const __m512* acc, int nt, float* y, std::int64_t ldy, int rows, int rowsValid,
                                            int tokens)
{
    alignas(64) float tmp[kQuantRows][kQuantPanels * kPanel];
    for (int r = 0; r < rows; ++r)
        for (int p = 0; p < nt; ++p) _mm512_store_ps(&tmp[r][p * kPanel], acc[r * nt + p]);
    for (int t = 0; t < tokens; ++t)
        for (int r = 0; r < rowsValid; ++r) y[t * ldy + r] = tmp[r][t];
}

// RM unpacked rows (row r at u + r * nsb) x NT panels of Q8_K activations; the arithmetic of
// weight_unpack.h, token by token in the vector lanes.
template <int G, bool Mins, int NT>
CONDENSE_AVX512 void superBlockTile(const UnpackedSuperBlock* u, std::int64_t nsb, const std::byte* xp, std::size_t panelBytes,
                                    float* y, std::int64_t ldy, int rowsValid, int tokens)
{
    constexpr int RM = kQuantRows;
    constexpr int K4 = 64 / G; // 4-element steps per group
    __m512 tot[RM * NT];
    for (auto& v : tot) v = _mm512_setzero_ps();
    for (std::int64_t sb = 0; sb < nsb; ++sb) {
        const std::byte* a[NT];
        for (int p = 0; p < NT; ++p) a[p] = xp + p * panelBytes + static_cast<std::size_t>(sb) * kQ8KPanelSuperBlock;
        const UnpackedSuperBlock* ub[RM];
        for (int r = 0; r < RM; ++r) ub[r] = u + r * nsb + sb;
        __m512i isum[RM * NT];
        for (auto& v : isum) v = _mm512_setzero_si512();
        for (int g = 0; g < G; ++g) {
            __m512i ai[RM * NT];
            for (int r = 0; r < RM; ++r) {
                const __m512i nv = _mm512_set1_epi32(ub[r]->negSum[g]);
                for (int p = 0; p < NT; ++p) ai[r * NT + p] = nv;
            }
            for (int s = 0; s < K4; ++s) {
                const int k4 = g * K4 + s;
                __m512i xv[NT];
                for (int p = 0; p < NT; ++p) xv[p] = _mm512_load_si512(a[p] + k4 * 64);
                for (int r = 0; r < RM; ++r) {
                    std::int32_t w4;
                    std::memcpy(&w4, ub[r]->w + 4 * k4, 4);
                    const __m512i wb = _mm512_set1_epi32(w4);
                    for (int p = 0; p < NT; ++p) ai[r * NT + p] = _mm512_dpbusd_epi32(ai[r * NT + p], xv[p], wb);
                }
            }
            for (int r = 0; r < RM; ++r) {
                const __m512i sc = _mm512_set1_epi32(ub[r]->scale[g]);
                for (int p = 0; p < NT; ++p)
                    isum[r * NT + p] = _mm512_add_epi32(isum[r * NT + p], _mm512_mullo_epi32(ai[r * NT + p], sc));
            }
        }
        __m512 dx[NT];
        for (int p = 0; p < NT; ++p) dx[p] = _mm512_load_ps(reinterpret_cast<const float*>(a[p] + 256 * kPanel));
        for (int r = 0; r < RM; ++r) {
            const __m512 d = _mm512_set1_ps(ub[r]->d);
            for (int p = 0; p < NT; ++p)
                tot[r * NT + p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum[r * NT + p]), _mm512_mul_ps(d, dx[p]), tot[r * NT + p]);
        }
        if constexpr (Mins) {
            __m512i msum[RM * NT];
            for (auto& v : msum) v = _mm512_setzero_si512();
            for (int hp = 0; hp < 8; ++hp) {
                __m512i bsv[NT];
                for (int p = 0; p < NT; ++p) bsv[p] = _mm512_load_si512(a[p] + 256 * kPanel + kPanel * 4 + hp * 64);
                for (int r = 0; r < RM; ++r) {
                    std::int32_t m2;
                    std::memcpy(&m2, ub[r]->mins + 2 * hp, 4);
                    const __m512i mv = _mm512_set1_epi32(m2);
                    for (int p = 0; p < NT; ++p) msum[r * NT + p] = _mm512_dpwssd_epi32(msum[r * NT + p], bsv[p], mv);
                }
            }
            for (int r = 0; r < RM; ++r) {
                const __m512 dm = _mm512_set1_ps(ub[r]->dmin);
                for (int p = 0; p < NT; ++p)
                    tot[r * NT + p] =
                        _mm512_fnmadd_ps(_mm512_cvtepi32_ps(msum[r * NT + p]), _mm512_mul_ps(dm, dx[p]), tot[r * NT + p]);
            }
        }
    }
    storeTransposed(tot, NT, y, ldy, RM, rowsValid, tokens);
}

template <int NT>
CONDENSE_AVX512 void block32Tile(const UnpackedBlock32* u, std::int64_t nb, const std::byte* xp, std::size_t panelBytes, float* y,
                                 std::int64_t ldy, int rowsValid, int tokens)
{
    constexpr int RM = kQuantRows;
    __m512 tot[RM * NT];
    for (auto& v : tot) v = _mm512_setzero_ps();
    for (std::int64_t b = 0; b < nb; ++b) {
        const std::byte* a[NT];
        __m512 dx[NT];
        for (int p = 0; p < NT; ++p) {
            a[p] = xp + p * panelBytes + static_cast<std::size_t>(b) * kQ8_0PanelBlock;
            dx[p] = _mm512_load_ps(reinterpret_cast<const float*>(a[p] + 32 * kPanel));
        }
        const UnpackedBlock32* ub[RM];
        for (int r = 0; r < RM; ++r) ub[r] = u + r * nb + b;
        __m512i ai[RM * NT];
        for (int r = 0; r < RM; ++r) {
            const __m512i nv = _mm512_set1_epi32(ub[r]->negSum);
            for (int p = 0; p < NT; ++p) ai[r * NT + p] = nv;
        }
        for (int s = 0; s < 8; ++s) {
            __m512i xv[NT];
            for (int p = 0; p < NT; ++p) xv[p] = _mm512_load_si512(a[p] + s * 64);
            for (int r = 0; r < RM; ++r) {
                std::int32_t w4;
                std::memcpy(&w4, ub[r]->w + 4 * s, 4);
                const __m512i wb = _mm512_set1_epi32(w4);
                for (int p = 0; p < NT; ++p) ai[r * NT + p] = _mm512_dpbusd_epi32(ai[r * NT + p], xv[p], wb);
            }
        }
        for (int r = 0; r < RM; ++r) {
            const __m512 d = _mm512_set1_ps(ub[r]->d);
            for (int p = 0; p < NT; ++p)
                tot[r * NT + p] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(ai[r * NT + p]), _mm512_mul_ps(d, dx[p]), tot[r * NT + p]);
        }
    }
    storeTransposed(tot, NT, y, ldy, RM, rowsValid, tokens);
}

// ---------------------------------------------------------------- few tokens (generation)
//
// Dot products of one K-quant row with up to 4 Q8_K activation rows, reading the blocks as
// stored and unpacking the levels in registers: 64 levels at a time are multiplied with
// vpmaddubsw (unsigned levels x signed activations -> 16-bit pair sums) and accumulated with
// vpdpwssd against the sub-block scales spread over the 16-bit lanes (vpermw) (IQ4_XS, whose
// levels do not fit vpmaddubsw, uses vpdpbusd and vpmulld), giving the exact integer sum of
// one super-block; mins and level offsets go through the activation group sums (bsums). Then
// the super-block's float update of weight_unpack.h, so the results equal the tiles'. The
// weights are streamed once per token: a software prefetch runs kPrefetchAhead ahead.

// Q4_K 6-bit scales and mins (layout in core/quant/q4_k.h) as 8 + 8 bytes.
inline void q4kScalesMins(const std::uint8_t* s12, std::uint64_t& sc, std::uint64_t& mn)
{
    std::uint32_t w0, w1, w2;
    std::memcpy(&w0, s12, 4);
    std::memcpy(&w1, s12 + 4, 4);
    std::memcpy(&w2, s12 + 8, 4);
    const std::uint32_t scLo = w0 & 0x3f3f3f3fu;
    const std::uint32_t scHi = (w2 & 0x0f0f0f0fu) | (((w0 >> 6) & 0x03030303u) << 4);
    const std::uint32_t mLo = w1 & 0x3f3f3f3fu;
    const std::uint32_t mHi = ((w2 >> 4) & 0x0f0f0f0fu) | (((w1 >> 6) & 0x03030303u) << 4);
    sc = scLo | (static_cast<std::uint64_t>(scHi) << 32);
    mn = mLo | (static_cast<std::uint64_t>(mHi) << 32);
}

// Horizontal sums of a 16-lane and an 8-lane int32 vector, reduced together.
CONDENSE_AVX512 inline void reduceTwo(__m512i a, __m256i b, std::int32_t& sa, std::int32_t& sb)
{
    const __m256i a8 = _mm256_add_epi32(_mm512_castsi512_si256(a), _mm512_extracti64x4_epi64(a, 1));
    __m256i h = _mm256_hadd_epi32(a8, b); // [a01 a23 b01 b23 | a45 a67 b45 b67]
    h = _mm256_hadd_epi32(h, h);          // [a0-3 b0-3 .. .. | a4-7 b4-7 .. ..]
    const __m128i x = _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
    sa = _mm_cvtsi128_si32(x);
    sb = _mm_extract_epi32(x, 1);
}

// One float update per super-block, exactly as the outer-product tile does per lane (lane 0
// of acc holds the running sum; the value stays in a vector register, so a row's chain is one
// FMA latency per update).
CONDENSE_AVX512 inline __m128 superBlockUpdate(__m128 acc, std::int32_t isum, float d, float dx)
{
    return _mm_fmadd_ss(_mm_cvtepi32_ps(_mm_cvtsi32_si128(isum)), _mm_set1_ps(d * dx), acc);
}
CONDENSE_AVX512 inline __m128 superBlockMinUpdate(__m128 acc, std::int32_t msum, float dmin, float dx)
{
    return _mm_fnmadd_ss(_mm_cvtepi32_ps(_mm_cvtsi32_si128(msum)), _mm_set1_ps(dmin * dx), acc);
}

template <int RN>
CONDENSE_AVX512 __attribute__((always_inline)) inline void sbQ4K(const quant::BlockQ4_K* w, const quant::BlockQ8_K* const* x,
                                                                   std::int64_t sb, __m128* accs)
{
    const __m256i nib = _mm256_set1_epi8(0x0F);
    __m512i idx[4];
    for (int c = 0; c < 4; ++c)
        idx[c] = _mm512_mask_blend_epi16(0xFFFF0000u, _mm512_set1_epi16(static_cast<short>(2 * c)),
                                         _mm512_set1_epi16(static_cast<short>(2 * c + 1)));
    for (std::size_t l = 0; l < sizeof(quant::BlockQ4_K); l += 64)
        _mm_prefetch(reinterpret_cast<const char*>(w + sb) + kPrefetchAhead + l, _MM_HINT_T0);
    const quant::BlockQ4_K& b = w[sb];
    std::uint64_t sc, mn;
    q4kScalesMins(b.scales, sc, mn);
    const __m512i sc16 = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(sc))));
    const __m128i m16 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(mn)));
    const __m256i mins = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi16(m16, m16)),
                                                 _mm_unpackhi_epi16(m16, m16), 1);
    __m512i acc[RN];
    for (int t = 0; t < RN; ++t) acc[t] = _mm512_setzero_si512();
    for (int c = 0; c < 4; ++c) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * c));
        const __m512i wv = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(q, nib)),
                                              _mm256_and_si256(_mm256_srli_epi16(q, 4), nib), 1);
        const __m512i scv = _mm512_permutexvar_epi16(idx[c], sc16);
        for (int t = 0; t < RN; ++t) {
            const __m512i xv = _mm512_loadu_si512(x[t][sb].qs + 64 * c);
            acc[t] = _mm512_dpwssd_epi32(acc[t], _mm512_maddubs_epi16(wv, xv), scv);
        }
    }
    const float d = halfToFloat(b.d), dmin = halfToFloat(b.dmin);
    for (int t = 0; t < RN; ++t) {
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][sb].bsums));
        std::int32_t isum, msum;
        reduceTwo(acc[t], _mm256_madd_epi16(bs, mins), isum, msum);
        accs[t] = superBlockUpdate(accs[t], isum, d, x[t][sb].d);
        accs[t] = superBlockMinUpdate(accs[t], msum, dmin, x[t][sb].d);
    }
}

// Q5_K: Q4_K's layout plus qh[32], bit (2c + half) of qh[l] = bit 4 of element 64c + 32 half + l.
template <int RN>
CONDENSE_AVX512 __attribute__((always_inline)) inline void sbQ5K(const quant::BlockQ5_K* w, const quant::BlockQ8_K* const* x,
                                                                   std::int64_t sb, __m128* accs)
{
    const __m256i nib = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m512i idx[4];
    for (int c = 0; c < 4; ++c)
        idx[c] = _mm512_mask_blend_epi16(0xFFFF0000u, _mm512_set1_epi16(static_cast<short>(2 * c)),
                                         _mm512_set1_epi16(static_cast<short>(2 * c + 1)));
    for (std::size_t l = 0; l < sizeof(quant::BlockQ5_K); l += 64)
        _mm_prefetch(reinterpret_cast<const char*>(w + sb) + kPrefetchAhead + l, _MM_HINT_T0);
    const quant::BlockQ5_K& b = w[sb];
    std::uint64_t sc, mn;
    q4kScalesMins(b.scales, sc, mn);
    const __m512i sc16 = _mm512_castsi128_si512(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(sc))));
    const __m128i m16 = _mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<long long>(mn)));
    const __m256i mins = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_unpacklo_epi16(m16, m16)),
                                                 _mm_unpackhi_epi16(m16, m16), 1);
    const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh));
    __m512i acc[RN];
    for (int t = 0; t < RN; ++t) acc[t] = _mm512_setzero_si512();
    for (int c = 0; c < 4; ++c) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * c));
        // qh bit j of every byte: shift the 16-bit lanes right by j, keep bit 0 of each byte.
        const __m256i h0 = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * c)), one);
        const __m256i h1 = _mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * c + 1)), one);
        const __m256i lo = _mm256_or_si256(_mm256_and_si256(q, nib), _mm256_slli_epi16(h0, 4));
        const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), nib), _mm256_slli_epi16(h1, 4));
        const __m512i wv = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
        const __m512i scv = _mm512_permutexvar_epi16(idx[c], sc16);
        for (int t = 0; t < RN; ++t) {
            const __m512i xv = _mm512_loadu_si512(x[t][sb].qs + 64 * c);
            acc[t] = _mm512_dpwssd_epi32(acc[t], _mm512_maddubs_epi16(wv, xv), scv);
        }
    }
    const float d = halfToFloat(b.d), dmin = halfToFloat(b.dmin);
    for (int t = 0; t < RN; ++t) {
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][sb].bsums));
        std::int32_t isum, msum;
        reduceTwo(acc[t], _mm256_madd_epi16(bs, mins), isum, msum);
        accs[t] = superBlockUpdate(accs[t], isum, d, x[t][sb].d);
        accs[t] = superBlockMinUpdate(accs[t], msum, dmin, x[t][sb].d);
    }
}

template <int RN>
CONDENSE_AVX512 __attribute__((always_inline)) inline void sbQ6K(const quant::BlockQ6_K* w, const quant::BlockQ8_K* const* x,
                                                                   std::int64_t sb, __m128* accs)
{
    const __m512i m4 = _mm512_set1_epi8(0x0F), m2 = _mm512_set1_epi8(0x03);
    __m512i idx[4];
    for (int s = 0; s < 4; ++s)
        idx[s] = _mm512_mask_blend_epi16(
            0xFF000000u,
            _mm512_mask_blend_epi16(0x00FF0000u,
                                    _mm512_mask_blend_epi16(0x0000FF00u, _mm512_set1_epi16(static_cast<short>(4 * s)),
                                                            _mm512_set1_epi16(static_cast<short>(4 * s + 1))),
                                    _mm512_set1_epi16(static_cast<short>(4 * s + 2))),
            _mm512_set1_epi16(static_cast<short>(4 * s + 3)));
    for (std::size_t l = 0; l < sizeof(quant::BlockQ6_K); l += 64)
        _mm_prefetch(reinterpret_cast<const char*>(w + sb) + kPrefetchAhead + l, _MM_HINT_T0);
    const quant::BlockQ6_K& b = w[sb];
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
    const __m512i scz = _mm512_castsi256_si512(sc16);
    __m512i acc[RN];
    for (int t = 0; t < RN; ++t) acc[t] = _mm512_setzero_si512();
    for (int h = 0; h < 2; ++h) {
        const __m512i L = _mm512_loadu_si512(b.ql + 64 * h);
        const __m256i H = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h));
        const __m512i hLo = _mm512_and_si512(_mm512_inserti64x4(_mm512_castsi256_si512(H), _mm256_srli_epi16(H, 2), 1), m2);
        const __m512i hHi = _mm512_and_si512(
            _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_srli_epi16(H, 4)), _mm256_srli_epi16(H, 6), 1), m2);
        const __m512i w0 = _mm512_or_si512(_mm512_and_si512(L, m4), _mm512_slli_epi16(hLo, 4));
        const __m512i w1 = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(L, 4), m4), _mm512_slli_epi16(hHi, 4));
        const __m512i s0 = _mm512_permutexvar_epi16(idx[2 * h], scz);
        const __m512i s1 = _mm512_permutexvar_epi16(idx[2 * h + 1], scz);
        for (int t = 0; t < RN; ++t) {
            const __m512i x0 = _mm512_loadu_si512(x[t][sb].qs + 128 * h);
            const __m512i x1 = _mm512_loadu_si512(x[t][sb].qs + 128 * h + 64);
            acc[t] = _mm512_dpwssd_epi32(acc[t], _mm512_maddubs_epi16(w0, x0), s0);
            acc[t] = _mm512_dpwssd_epi32(acc[t], _mm512_maddubs_epi16(w1, x1), s1);
        }
    }
    const float d = halfToFloat(b.d);
    for (int t = 0; t < RN; ++t) {
        // levels are q - 32: subtract 32 * sum_g sc_g * bsum_g.
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][sb].bsums));
        const __m256i corr = _mm256_slli_epi32(_mm256_madd_epi16(bs, sc16), 5);
        const __m512i tot = _mm512_sub_epi32(acc[t], _mm512_zextsi256_si512(corr));
        accs[t] = superBlockUpdate(accs[t], _mm512_reduce_add_epi32(tot), d, x[t][sb].d);
    }
}

// Q8_0 / Q4_0 / Q5_0 / IQ4_NL rows x up to 4 Q8_0 activation rows, 16 weight rows at a time.
// Pass 1 reads each row sequentially: per block one vpdpbusd (weights as unsigned w + 128,
// activations signed; the +128 is removed with the activation block sum), 8 blocks per
// reduction. Pass 2 transposes 16 x 16 so the rows sit in the vector lanes and runs each row's
// float chain over the blocks in order: acc = fma(float(isum), d_w * d_x, acc), exactly the
// outer-product tile's arithmetic (weight_unpack.h).
template <DType T>
constexpr std::size_t block32Bytes()
{
    if constexpr (T == DType::Q8_0) return sizeof(quant::BlockQ8_0);
    else if constexpr (T == DType::Q5_0) return sizeof(quant::BlockQ5_0);
    else return sizeof(quant::BlockQ4_0); // Q4_0, IQ4_NL: 18 bytes
}

// The 32 levels of a block as unsigned bytes w + 128 (element order).
template <DType T>
CONDENSE_AVX512 inline __m256i block32Unsigned(const std::byte* blk)
{
    if constexpr (T == DType::Q8_0) {
        return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2)), _mm256_set1_epi8(static_cast<char>(0x80)));
    } else {
        const int qsOff = T == DType::Q5_0 ? 6 : 2;
        const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + qsOff));
        const __m128i m = _mm_set1_epi8(0x0F);
        const __m256i v = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_and_si128(q, m)),
                                                  _mm_and_si128(_mm_srli_epi16(q, 4), m), 1);
        if constexpr (T == DType::Q4_0) return _mm256_add_epi8(v, _mm256_set1_epi8(120)); // q - 8 + 128
        if constexpr (T == DType::Q5_0) {                                                 // (q | h << 4) - 16 + 128
            std::uint32_t qh;
            std::memcpy(&qh, blk + 2, 4);
            const __m256i h = _mm256_and_si256(_mm256_movm_epi8(qh), _mm256_set1_epi8(0x10));
            return _mm256_add_epi8(_mm256_or_si256(v, h), _mm256_set1_epi8(112));
        }
        // IQ4_NL: table value + 128
        alignas(16) static const std::uint8_t tbl[16] = {1, 24, 45, 63, 79, 93, 106, 118, 129, 141, 153, 166, 181, 197, 217, 241};
        return _mm256_shuffle_epi8(_mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(tbl))), v);
    }
}

// 8 vectors of 8 int32 -> one vector of their 8 sums (lane i = sum of v[i]).
CONDENSE_AVX512 inline __m256i reduce8x8(const __m256i v[8])
{
    const __m256i h0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i h1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(h0, h1, 0x20), _mm256_permute2x128_si256(h0, h1, 0x31));
}

 // bytes ahead of the weight stream (tuned on Zen 5)

// Pass 1, one row read sequentially: the integer block sums sum_i (w_i + 128) q_i of every
// block against up to 4 tokens (8 blocks per reduction) into isum[u][b], and the row's block
// scales into dw[b].
template <DType T, int RN>
CONDENSE_AVX512 void block32RowSums(const std::byte* row, const quant::BlockQ8_0* const* x, std::int64_t nb, std::int32_t* isum,
                                    std::size_t ldIsum, float* dw)
{
    constexpr std::size_t bb = block32Bytes<T>();
    std::int64_t b = 0;
    for (; b + 8 <= nb; b += 8) {
        __m256i v[RN][8];
        for (int l = 0; l < static_cast<int>(8 * bb); l += 64)
            _mm_prefetch(reinterpret_cast<const char*>(row + static_cast<std::size_t>(b) * bb + kPrefetchAhead + static_cast<std::size_t>(l)), _MM_HINT_T0);
        for (int e = 0; e < 8; ++e) {
            const std::byte* blk = row + static_cast<std::size_t>(b + e) * bb;
            const __m256i wu = block32Unsigned<T>(blk);
            std::uint16_t h;
            std::memcpy(&h, blk, 2);
            dw[b + e] = halfToFloat(h);
            for (int u = 0; u < RN; ++u)
                v[u][e] = _mm256_dpbusd_epi32(_mm256_setzero_si256(), wu,
                                              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[u][b + e].qs)));
        }
        for (int u = 0; u < RN; ++u)
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(isum + u * ldIsum + b), reduce8x8(v[u]));
    }
    for (; b < nb; ++b) {
        const std::byte* blk = row + static_cast<std::size_t>(b) * bb;
        const __m256i wu = block32Unsigned<T>(blk);
        std::uint16_t h;
        std::memcpy(&h, blk, 2);
        dw[b] = halfToFloat(h);
        for (int u = 0; u < RN; ++u) {
            const __m256i s8 = _mm256_dpbusd_epi32(_mm256_setzero_si256(), wu,
                                                   _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[u][b].qs)));
            isum[u * ldIsum + b] = _mm512_reduce_add_epi32(_mm512_zextsi256_si512(s8));
        }
    }
}

template <DType T, int RN>
CONDENSE_AVX512 void block32DotGroup(const GemmTask& t, std::int64_t r, int rows, std::int64_t j, const std::int32_t* xsum,
                                     const float* xd, std::int32_t* isum, float* dwBuf, std::int64_t nbPad)
{
    const std::int64_t nb = t.k / 32;
    const quant::BlockQ8_0* xr[RN];
    for (int u = 0; u < RN; ++u) xr[u] = reinterpret_cast<const quant::BlockQ8_0*>(t.x + static_cast<std::size_t>(j + u) * t.xRowBytes);
    // isum: [u][row i][block b] (row stride nbPad, token stride 16 * nbPad); dwBuf: [row][block].
    const std::size_t ldU = static_cast<std::size_t>(16 * nbPad);
    for (int i = 0; i < 16; ++i) {
        const int src = std::min(i, rows - 1); // rows past the end repeat the last (never stored)
        block32RowSums<T, RN>(t.w + static_cast<std::size_t>(r + src) * t.wRowBytes, xr, nb,
                              isum + static_cast<std::size_t>(i * nbPad), ldU, dwBuf + i * nbPad);
        if (i >= rows - 1 && rows < 16) {
            for (int k = i + 1; k < 16; ++k) {
                std::memcpy(dwBuf + k * nbPad, dwBuf + i * nbPad, static_cast<std::size_t>(nb) * sizeof(float));
                for (int u = 0; u < RN; ++u)
                    std::memcpy(isum + u * ldU + static_cast<std::size_t>(k * nbPad), isum + u * ldU + static_cast<std::size_t>(i * nbPad),
                                static_cast<std::size_t>(nb) * sizeof(std::int32_t));
            }
            break;
        }
    }
    // Pass 2: 16 x 16 transposes put the rows in the lanes; each lane's float chain runs over
    // the blocks in order.
    __m512 acc[RN];
    for (int u = 0; u < RN; ++u) acc[u] = _mm512_setzero_ps();
    for (std::int64_t b0 = 0; b0 < nb; b0 += 16) {
        __m512 dws[16];
        for (int i = 0; i < 16; ++i) dws[i] = _mm512_loadu_ps(dwBuf + i * nbPad + b0);
        transpose16(dws);
        const int cnt = static_cast<int>(std::min<std::int64_t>(16, nb - b0));
        for (int u = 0; u < RN; ++u) {
            __m512 is[16];
            for (int i = 0; i < 16; ++i)
                is[i] = _mm512_castsi512_ps(_mm512_loadu_si512(isum + u * ldU + static_cast<std::size_t>(i * nbPad + b0)));
            transpose16(is);
            for (int e = 0; e < cnt; ++e) {
                const std::int64_t b = b0 + e;
                const __m512i v = _mm512_sub_epi32(_mm512_castps_si512(is[e]), _mm512_set1_epi32(xsum[u * nb + b]));
                acc[u] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(v), _mm512_mul_ps(dws[e], _mm512_set1_ps(xd[u * nb + b])), acc[u]);
            }
        }
    }
    const __mmask16 valid = static_cast<__mmask16>(rows >= 16 ? 0xFFFF : (1u << rows) - 1);
    for (int u = 0; u < RN; ++u) _mm512_mask_storeu_ps(t.y + (j + u) * t.ldy + r, valid, acc[u]);
}

template <DType T>
CONDENSE_AVX512 void gemmBlock32Dot(const GemmTask& t)
{
    const std::int64_t nb = t.k / 32;
    const std::int64_t nbPad = (nb + 15) / 16 * 16;
    thread_local std::vector<std::int32_t> xsum;
    thread_local std::vector<float> xd;
    thread_local AlignedBuffer work;
    xsum.resize(static_cast<std::size_t>(t.n * nb));
    xd.resize(static_cast<std::size_t>(t.n * nb));
    work.reserve(static_cast<std::size_t>(5 * 16 * nbPad) * 4);
    auto* isum = work.as<std::int32_t>();
    auto* dwBuf = reinterpret_cast<float*>(isum + 4 * 16 * nbPad);
    for (std::int64_t u = 0; u < t.n; ++u) {
        const auto* x = reinterpret_cast<const quant::BlockQ8_0*>(t.x + static_cast<std::size_t>(u) * t.xRowBytes);
        for (std::int64_t b = 0; b < nb; ++b) {
            const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
            const __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), xv), _mm256_set1_epi16(1));
            xsum[static_cast<std::size_t>(u * nb + b)] = 128 * _mm512_reduce_add_epi32(_mm512_zextsi256_si512(s));
            xd[static_cast<std::size_t>(u * nb + b)] = halfToFloat(x[b].d);
        }
    }
    for (std::int64_t r = t.r0; r < t.r1; r += 16) {
        const int rows = static_cast<int>(std::min<std::int64_t>(16, t.r1 - r));
        for (std::int64_t j = 0; j < t.n;) {
            const std::int64_t left = t.n - j;
            const std::int32_t* xs = xsum.data() + j * nb;
            const float* xdp = xd.data() + j * nb;
            if (left >= 4) { block32DotGroup<T, 4>(t, r, rows, j, xs, xdp, isum, dwBuf, nbPad); j += 4; }
            else if (left >= 2) { block32DotGroup<T, 2>(t, r, rows, j, xs, xdp, isum, dwBuf, nbPad); j += 2; }
            else { block32DotGroup<T, 1>(t, r, rows, j, xs, xdp, isum, dwBuf, nbPad); j += 1; }
        }
    }
}

// Scale vectors for 16 groups of 16: step s (elements 64s..64s+63) uses groups 4s..4s+3.
CONDENSE_AVX512 inline void groupIndex16(__m512i idx[4])
{
    for (int s = 0; s < 4; ++s)
        idx[s] = _mm512_mask_blend_epi16(
            0xFF000000u,
            _mm512_mask_blend_epi16(0x00FF0000u,
                                    _mm512_mask_blend_epi16(0x0000FF00u, _mm512_set1_epi16(static_cast<short>(4 * s)),
                                                            _mm512_set1_epi16(static_cast<short>(4 * s + 1))),
                                    _mm512_set1_epi16(static_cast<short>(4 * s + 2))),
            _mm512_set1_epi16(static_cast<short>(4 * s + 3)));
}

// The 2-bit fields of Q2_K / Q3_K qs for step s: elements 64s..64s+63 are bits
// (4(s%2), 4(s%2)+2) of the 32 bytes qs[32(s/2)..].
CONDENSE_AVX512 inline __m512i twoBitStep(const std::uint8_t* qs, int s)
{
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * (s / 2)));
    const __m128i sh0 = _mm_cvtsi32_si128(4 * (s % 2)), sh1 = _mm_cvtsi32_si128(4 * (s % 2) + 2);
    const __m256i m3 = _mm256_set1_epi8(3);
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(_mm256_srl_epi16(q, sh0), m3)),
                              _mm256_and_si256(_mm256_srl_epi16(q, sh1), m3), 1);
}

// Q3_K: levels low + 4 * high - 4 with 6-bit scales - 32 per 16 elements; computed with the
// unsigned low + 4 * high, then 4 * sum_g sc_g * bsum_g subtracted.
template <int RN>
CONDENSE_AVX512 __attribute__((always_inline)) inline void sbQ3K(const quant::BlockQ3_K* w, const quant::BlockQ8_K* const* x,
                                                                   std::int64_t sb, __m128* accs)
{
    __m512i idx[4];
    groupIndex16(idx);
    const __m256i one = _mm256_set1_epi8(1);
    for (std::size_t l = 0; l < sizeof(quant::BlockQ3_K); l += 64)
        _mm_prefetch(reinterpret_cast<const char*>(w + sb) + kPrefetchAhead + l, _MM_HINT_T0);
    const quant::BlockQ3_K& b = w[sb];
    std::uint32_t a0, a1, hi;
    std::memcpy(&a0, b.scales, 4);
    std::memcpy(&a1, b.scales + 4, 4);
    std::memcpy(&hi, b.scales + 8, 4);
    const std::uint32_t m4 = 0x0F0F0F0Fu, m2 = 0x03030303u;
    const __m128i codes = _mm_setr_epi32(static_cast<int>((a0 & m4) | ((hi & m2) << 4)),
                                         static_cast<int>((a1 & m4) | (((hi >> 2) & m2) << 4)),
                                         static_cast<int>(((a0 >> 4) & m4) | (((hi >> 4) & m2) << 4)),
                                         static_cast<int>(((a1 >> 4) & m4) | (((hi >> 6) & m2) << 4)));
    const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_sub_epi8(codes, _mm_set1_epi8(32)));
    const __m512i scz = _mm512_castsi256_si512(sc16);
    const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.hmask));
    __m512i acc[RN];
    for (int t = 0; t < RN; ++t) acc[t] = _mm512_setzero_si512();
    for (int s = 0; s < 4; ++s) {
        const __m256i h0 = _mm256_and_si256(_mm256_srl_epi16(hm, _mm_cvtsi32_si128(2 * s)), one);
        const __m256i h1 = _mm256_and_si256(_mm256_srl_epi16(hm, _mm_cvtsi32_si128(2 * s + 1)), one);
        const __m512i hb = _mm512_inserti64x4(_mm512_castsi256_si512(h0), h1, 1);
        const __m512i wv = _mm512_or_si512(twoBitStep(b.qs, s), _mm512_slli_epi16(hb, 2));
        const __m512i scv = _mm512_permutexvar_epi16(idx[s], scz);
        for (int t = 0; t < RN; ++t) {
            const __m512i xv = _mm512_loadu_si512(x[t][sb].qs + 64 * s);
            acc[t] = _mm512_dpwssd_epi32(acc[t], _mm512_maddubs_epi16(wv, xv), scv);
        }
    }
    const float d = halfToFloat(b.d);
    for (int t = 0; t < RN; ++t) {
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][sb].bsums));
        const __m256i corr = _mm256_slli_epi32(_mm256_madd_epi16(bs, sc16), 2);
        accs[t] = superBlockUpdate(accs[t], _mm512_reduce_add_epi32(_mm512_sub_epi32(acc[t], _mm512_zextsi256_si512(corr))), d,
                                   x[t][sb].d);
    }
}

// Q2_K: levels q in 0..3, 4-bit scale and min per 16 elements.
template <int RN>
CONDENSE_AVX512 __attribute__((always_inline)) inline void sbQ2K(const quant::BlockQ2_K* w, const quant::BlockQ8_K* const* x,
                                                                   std::int64_t sb, __m128* accs)
{
    __m512i idx[4];
    groupIndex16(idx);
    for (std::size_t l = 0; l < sizeof(quant::BlockQ2_K); l += 64)
        _mm_prefetch(reinterpret_cast<const char*>(w + sb) + kPrefetchAhead + l, _MM_HINT_T0);
    const quant::BlockQ2_K& b = w[sb];
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
    const __m256i sc16 = _mm256_cvtepu8_epi16(_mm_and_si128(raw, _mm_set1_epi8(0x0F)));
    const __m256i mn16 = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(raw, 4), _mm_set1_epi8(0x0F)));
    const __m512i scz = _mm512_castsi256_si512(sc16);
    __m512i acc[RN];
    for (int t = 0; t < RN; ++t) acc[t] = _mm512_setzero_si512();
    for (int s = 0; s < 4; ++s) {
        const __m512i wv = twoBitStep(b.qs, s);
        const __m512i scv = _mm512_permutexvar_epi16(idx[s], scz);
        for (int t = 0; t < RN; ++t) {
            const __m512i xv = _mm512_loadu_si512(x[t][sb].qs + 64 * s);
            acc[t] = _mm512_dpwssd_epi32(acc[t], _mm512_maddubs_epi16(wv, xv), scv);
        }
    }
    const float d = halfToFloat(b.d), dmin = halfToFloat(b.dmin);
    for (int t = 0; t < RN; ++t) {
        const __m256i bs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t][sb].bsums));
        std::int32_t isum, msum;
        reduceTwo(acc[t], _mm256_madd_epi16(bs, mn16), isum, msum);
        accs[t] = superBlockUpdate(accs[t], isum, d, x[t][sb].d);
        accs[t] = superBlockMinUpdate(accs[t], msum, dmin, x[t][sb].d);
    }
}

// IQ4_XS: levels from the IQ4_NL table, 6-bit scales - 32 per 32 elements. The table values
// + 128 are looked up with vpshufb (unsigned bytes for vpdpbusd); per 32-element group the
// integer sum is scaled with vpmulld; the +128 leaves 128 * sum_g sc_g * (bsum of g) to remove.
template <int RN>
CONDENSE_AVX512 __attribute__((always_inline)) inline void sbIQ4XS(const quant::BlockIQ4_XS* w, const quant::BlockQ8_K* const* x,
                                                                   std::int64_t sb, __m128* accs)
{
    alignas(16) std::uint8_t tbl[16];
    for (int i = 0; i < 16; ++i) tbl[i] = static_cast<std::uint8_t>(quant::kIq4nlValues[i] + 128);
    const __m512i table = _mm512_broadcast_i32x4(_mm_load_si128(reinterpret_cast<const __m128i*>(tbl)));
    const __m256i nib = _mm256_set1_epi8(0x0F);
    for (std::size_t l = 0; l < sizeof(quant::BlockIQ4_XS); l += 64)
        _mm_prefetch(reinterpret_cast<const char*>(w + sb) + kPrefetchAhead + l, _MM_HINT_T0);
    const quant::BlockIQ4_XS& b = w[sb];
    alignas(32) std::int32_t sc[8];
    for (int ib = 0; ib < 8; ++ib)
        sc[ib] = (((b.scalesL[ib / 2] >> (4 * (ib % 2))) & 0xF) | (((b.scalesH >> (2 * ib)) & 3) << 4)) - 32;
    __m512i acc[RN];
    for (int t = 0; t < RN; ++t) acc[t] = _mm512_setzero_si512();
    for (int s = 0; s < 4; ++s) {
        const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * s));
        const __m512i lohi = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_and_si256(q, nib)),
                                                _mm256_and_si256(_mm256_srli_epi16(q, 4), nib), 1);
        // 128-bit lanes [lo(g), hi(g), lo(g+1), hi(g+1)]: elements of groups 2s and 2s+1 in order.
        const __m512i idxv = _mm512_shuffle_i64x2(lohi, lohi, 0xD8);
        const __m512i wu = _mm512_shuffle_epi8(table, idxv);
        const __m512i scv = _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(sc[2 * s]), _mm512_set1_epi32(sc[2 * s + 1]));
        for (int t = 0; t < RN; ++t) {
            const __m512i xv = _mm512_loadu_si512(x[t][sb].qs + 64 * s);
            const __m512i g = _mm512_dpbusd_epi32(_mm512_setzero_si512(), wu, xv);
            acc[t] = _mm512_add_epi32(acc[t], _mm512_mullo_epi32(g, scv));
        }
    }
    const float d = halfToFloat(b.d);
    for (int t = 0; t < RN; ++t) {
        std::int32_t corr = 0;
        for (int ib = 0; ib < 8; ++ib) corr += sc[ib] * (x[t][sb].bsums[2 * ib] + x[t][sb].bsums[2 * ib + 1]);
        accs[t] = superBlockUpdate(accs[t], _mm512_reduce_add_epi32(acc[t]) - 128 * corr, d, x[t][sb].d);
    }
}

template <class Block>
using SuperBlockFn = void (*)(const Block*, const quant::BlockQ8_K* const*, std::int64_t, __m128*);

// RM rows x RN tokens over all super-blocks (SB: one super-block of one row, inlined).
template <class Block, int RM, int RN, SuperBlockFn<Block> SB>
CONDENSE_AVX512 void superBlockDotRows(const GemmTask& t, std::int64_t r, std::int64_t j)
{
    const std::int64_t nsb = t.k / 256;
    const Block* w[RM];
    for (int i = 0; i < RM; ++i) w[i] = reinterpret_cast<const Block*>(t.w + static_cast<std::size_t>(r + i) * t.wRowBytes);
    const quant::BlockQ8_K* x[RN];
    for (int u = 0; u < RN; ++u) x[u] = reinterpret_cast<const quant::BlockQ8_K*>(t.x + static_cast<std::size_t>(j + u) * t.xRowBytes);
    __m128 acc[RM][RN];
    for (int i = 0; i < RM; ++i)
        for (int u = 0; u < RN; ++u) acc[i][u] = _mm_setzero_ps();
    for (std::int64_t sb = 0; sb < nsb; ++sb)
        for (int i = 0; i < RM; ++i) SB(w[i], x, sb, acc[i]);
    for (int i = 0; i < RM; ++i)
        for (int u = 0; u < RN; ++u) t.y[(j + u) * t.ldy + r + i] = _mm_cvtss_f32(acc[i][u]);
}

template <class Block, SuperBlockFn<Block> SB1, SuperBlockFn<Block> SB2, SuperBlockFn<Block> SB4>
CONDENSE_AVX512 void gemmSuperBlockDot(const GemmTask& t)
{
    for (std::int64_t j = 0; j < t.n;) {
        const std::int64_t rn = t.n - j >= 4 ? 4 : t.n - j >= 2 ? 2 : 1;
        std::int64_t r = t.r0;
        // One row at a time: interleaving two rows' streams measured slower (40 -> 29 t/s on
        // a Q4_K_M 1.1B model, one core) than the longer FMA chain of a single row costs.
        if (rn == 1) {
            for (; r < t.r1; ++r) superBlockDotRows<Block, 1, 1, SB1>(t, r, j);
        } else if (rn == 2) {
            for (; r < t.r1; ++r) superBlockDotRows<Block, 1, 2, SB2>(t, r, j);
        } else {
            for (; r < t.r1; ++r) superBlockDotRows<Block, 1, 4, SB4>(t, r, j);
        }
        j += rn;
    }
}

template <int G, bool Mins>
CONDENSE_AVX512 void gemmSuperBlockPanel(const GemmTask& t)
{
    const std::int64_t nsb = t.k / 256;
    thread_local AlignedBuffer buf;
    buf.reserve(static_cast<std::size_t>(kQuantRows * nsb) * sizeof(UnpackedSuperBlock));
    auto* u = buf.as<UnpackedSuperBlock>();
    const std::int64_t panels = (t.n + kPanel - 1) / kPanel;
    for (std::int64_t r = t.r0; r < t.r1; r += kQuantRows) {
        const int rm = static_cast<int>(std::min<std::int64_t>(kQuantRows, t.r1 - r));
        for (int i = 0; i < kQuantRows; ++i) {
            if (i < rm) unpackSuperBlocks(t.type, t.w + static_cast<std::size_t>(r + i) * t.wRowBytes, t.k, u + i * nsb);
            else std::memset(static_cast<void*>(u + i * nsb), 0, static_cast<std::size_t>(nsb) * sizeof(UnpackedSuperBlock));
        }
        std::int64_t p = 0;
        for (; p + kQuantPanels <= panels; p += kQuantPanels)
            superBlockTile<G, Mins, kQuantPanels>(u, nsb, t.x + static_cast<std::size_t>(p) * t.xRowBytes, t.xRowBytes,
                                                  t.y + p * kPanel * t.ldy + r, t.ldy, rm,
                                                  static_cast<int>(std::min<std::int64_t>(kQuantPanels * kPanel, t.n - p * kPanel)));
        for (; p < panels; ++p)
            superBlockTile<G, Mins, 1>(u, nsb, t.x + static_cast<std::size_t>(p) * t.xRowBytes, t.xRowBytes,
                                       t.y + p * kPanel * t.ldy + r, t.ldy, rm,
                                       static_cast<int>(std::min<std::int64_t>(kPanel, t.n - p * kPanel)));
    }
}

CONDENSE_AVX512 void gemmBlock32Panel(const GemmTask& t)
{
    const std::int64_t nb = t.k / 32;
    thread_local AlignedBuffer buf;
    buf.reserve(static_cast<std::size_t>(kQuantRows * nb) * sizeof(UnpackedBlock32));
    auto* u = buf.as<UnpackedBlock32>();
    const std::int64_t panels = (t.n + kPanel - 1) / kPanel;
    for (std::int64_t r = t.r0; r < t.r1; r += kQuantRows) {
        const int rm = static_cast<int>(std::min<std::int64_t>(kQuantRows, t.r1 - r));
        for (int i = 0; i < kQuantRows; ++i) {
            if (i < rm) unpackBlocks32(t.type, t.w + static_cast<std::size_t>(r + i) * t.wRowBytes, t.k, u + i * nb);
            else std::memset(static_cast<void*>(u + i * nb), 0, static_cast<std::size_t>(nb) * sizeof(UnpackedBlock32));
        }
        std::int64_t p = 0;
        for (; p + kQuantPanels <= panels; p += kQuantPanels)
            block32Tile<kQuantPanels>(u, nb, t.x + static_cast<std::size_t>(p) * t.xRowBytes, t.xRowBytes,
                                      t.y + p * kPanel * t.ldy + r, t.ldy, rm,
                                      static_cast<int>(std::min<std::int64_t>(kQuantPanels * kPanel, t.n - p * kPanel)));
        for (; p < panels; ++p)
            block32Tile<1>(u, nb, t.x + static_cast<std::size_t>(p) * t.xRowBytes, t.xRowBytes, t.y + p * kPanel * t.ldy + r,
                           t.ldy, rm, static_cast<int>(std::min<std::int64_t>(kPanel, t.n - p * kPanel)));
    }
}

// ---------------------------------------------------------------- attention
//
// A block of up to 16 queries of one head, queries in the vector lanes (gemm_kernels.h gives
// the arithmetic, which is the per-query path's lane for lane):
//   scores: for 8 keys at a time, one FMA chain over d per key with the 16 queries' q_d
//           (transposed once into qt[d][16]) times the broadcast k_jd;
//   softmax per lane over the key vectors; masked keys get exactly 0;
//   values: for 16 output dimensions at a time, an FMA chain over the keys per dimension with
//           the 16 queries' weights times the broadcast v_jd, transposed back at the end.

// exp(x) of 16 floats: the operations of exp8 (gemm_avx2.cpp) in the same order, so the
// results are identical lane for lane.
CONDENSE_AVX512 inline __m512 exp16(__m512 x)
{
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.3f));
    const __m512 fx = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(0.693359375f), x);
    x = _mm512_fnmadd_ps(fx, _mm512_set1_ps(-2.12194440e-4f), x);
    __m512 y = _mm512_set1_ps(1.9875691500e-4f);
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.3981999507e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(8.3334519073e-3f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(4.1665795894e-2f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(1.6666665459e-1f));
    y = _mm512_fmadd_ps(y, x, _mm512_set1_ps(5.0000001201e-1f));
    y = _mm512_fmadd_ps(y, _mm512_mul_ps(x, x), _mm512_add_ps(x, _mm512_set1_ps(1.0f)));
    const __m512i e = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(fx), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(y, _mm512_castsi512_ps(e));
}

// Lanes (queries at lanePos) that may attend to key j: causal, and inside the sliding window.
CONDENSE_AVX512 inline __mmask16 keyMask(std::int64_t j, __m512i lanePos, std::int64_t window)
{
    const __m512i jv = _mm512_set1_epi32(static_cast<int>(j));
    __mmask16 m = _mm512_cmple_epi32_mask(jv, lanePos);
    if (window > 0) m &= _mm512_cmpgt_epi32_mask(jv, _mm512_sub_epi32(lanePos, _mm512_set1_epi32(static_cast<int>(window))));
    return m;
}

CONDENSE_AVX512 void attentionBlockAvx512(const float* q, std::int64_t ldq, std::int64_t nq, std::int64_t pos0,
                                          const float* kt, std::int64_t ldk, const float* v, std::int64_t hd,
                                          std::int64_t window, float scale, float* out, std::int64_t ldo, float* scratch)
{
    float* qt = scratch;           // [hd][16]
    float* S = scratch + hd * 16;  // [key][16]
    for (std::int64_t d0 = 0; d0 < hd; d0 += 16) {
        __m512 r[16];
        for (int i = 0; i < 16; ++i) r[i] = i < nq ? _mm512_loadu_ps(q + i * ldq + d0) : _mm512_setzero_ps();
        transpose16(r);
        for (int c = 0; c < 16; ++c) _mm512_store_ps(qt + (d0 + c) * 16, r[c]);
    }
    const std::int64_t jEnd = pos0 + nq;
    const std::int64_t jBeg = window > 0 ? std::max<std::int64_t>(0, pos0 - window + 1) : 0;
    const __m512i lanePos = _mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(pos0)),
                                             _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    const __m512 vscale = _mm512_set1_ps(scale);
    const __m512 ninf = _mm512_set1_ps(-__builtin_inff());
    std::int64_t j = jBeg;
    for (; j + 8 <= jEnd; j += 8) {
        __m512 acc[8];
        for (auto& a : acc) a = _mm512_setzero_ps();
        for (std::int64_t d = 0; d < hd; ++d) {
            const __m512 qd = _mm512_load_ps(qt + d * 16);
            const float* kd = kt + d * ldk + j;
            for (int u = 0; u < 8; ++u) acc[u] = _mm512_fmadd_ps(qd, _mm512_set1_ps(kd[u]), acc[u]);
        }
        for (int u = 0; u < 8; ++u)
            _mm512_store_ps(S + (j + u - jBeg) * 16, _mm512_mask_blend_ps(keyMask(j + u, lanePos, window), ninf, _mm512_mul_ps(acc[u], vscale)));
    }
    for (; j < jEnd; ++j) {
        __m512 acc = _mm512_setzero_ps();
        for (std::int64_t d = 0; d < hd; ++d) acc = _mm512_fmadd_ps(_mm512_load_ps(qt + d * 16), _mm512_set1_ps(kt[d * ldk + j]), acc);
        _mm512_store_ps(S + (j - jBeg) * 16, _mm512_mask_blend_ps(keyMask(j, lanePos, window), ninf, _mm512_mul_ps(acc, vscale)));
    }
    const std::int64_t nk = jEnd - jBeg;
    __m512 mx = ninf;
    for (std::int64_t i = 0; i < nk; ++i) mx = _mm512_max_ps(mx, _mm512_load_ps(S + i * 16));
    __m512 sum = _mm512_setzero_ps();
    for (std::int64_t i = 0; i < nk; ++i) {
        const __m512 sv = _mm512_load_ps(S + i * 16);
        const __mmask16 live = _mm512_cmp_ps_mask(sv, ninf, _CMP_NEQ_OQ);
        const __m512 e = _mm512_maskz_mov_ps(live, exp16(_mm512_sub_ps(sv, mx)));
        _mm512_store_ps(S + i * 16, e);
        sum = _mm512_add_ps(sum, e);
    }
    alignas(64) float inv[16];
    _mm512_store_ps(inv, _mm512_div_ps(_mm512_set1_ps(1.0f), sum));
    for (std::int64_t d0 = 0; d0 < hd; d0 += 16) {
        __m512 acc[16];
        for (auto& a : acc) a = _mm512_setzero_ps();
        for (std::int64_t i = 0; i < nk; ++i) {
            const __m512 p = _mm512_load_ps(S + i * 16);
            const float* vr = v + (jBeg + i) * hd + d0;
            for (int c = 0; c < 16; ++c) acc[c] = _mm512_fmadd_ps(p, _mm512_set1_ps(vr[c]), acc[c]);
        }
        transpose16(acc);
        for (std::int64_t i = 0; i < nq; ++i) _mm512_storeu_ps(out + i * ldo + d0, _mm512_mul_ps(acc[i], _mm512_set1_ps(inv[i])));
    }
}

} // namespace

GemmChoice gemmAvx512(DType type, std::int64_t n)
{
    switch (type) {
    case DType::F32:
    case DType::F16:
    case DType::BF16:
        if (n >= kPanelMinTokens) return {ActLayout::F32Panel, &gemmFloatPanel};
        return {ActLayout::F32, &gemmFloatDot};
    default: break;
    }
    if (n < kQuantPanelMinTokens) {
        if (type == DType::Q4_K)
            return {ActLayout::GgmlQ8_K,
                    &gemmSuperBlockDot<quant::BlockQ4_K, &sbQ4K<1>, &sbQ4K<2>, &sbQ4K<4>>};
        if (type == DType::Q6_K)
            return {ActLayout::GgmlQ8_K,
                    &gemmSuperBlockDot<quant::BlockQ6_K, &sbQ6K<1>, &sbQ6K<2>, &sbQ6K<4>>};
        if (type == DType::Q5_K)
            return {ActLayout::GgmlQ8_K,
                    &gemmSuperBlockDot<quant::BlockQ5_K, &sbQ5K<1>, &sbQ5K<2>, &sbQ5K<4>>};
        if (type == DType::Q3_K)
            return {ActLayout::GgmlQ8_K,
                    &gemmSuperBlockDot<quant::BlockQ3_K, &sbQ3K<1>, &sbQ3K<2>, &sbQ3K<4>>};
        if (type == DType::Q2_K)
            return {ActLayout::GgmlQ8_K,
                    &gemmSuperBlockDot<quant::BlockQ2_K, &sbQ2K<1>, &sbQ2K<2>, &sbQ2K<4>>};
        if (type == DType::IQ4_XS)
            return {ActLayout::GgmlQ8_K,
                    &gemmSuperBlockDot<quant::BlockIQ4_XS, &sbIQ4XS<1>, &sbIQ4XS<2>, &sbIQ4XS<4>>};
        if (type == DType::Q8_0) return {ActLayout::GgmlQ8_0, &gemmBlock32Dot<DType::Q8_0>};
        if (type == DType::Q4_0) return {ActLayout::GgmlQ8_0, &gemmBlock32Dot<DType::Q4_0>};
        if (type == DType::Q5_0) return {ActLayout::GgmlQ8_0, &gemmBlock32Dot<DType::Q5_0>};
        if (type == DType::IQ4_NL) return {ActLayout::GgmlQ8_0, &gemmBlock32Dot<DType::IQ4_NL>};
        // Other types: the outer-product tiles even for a single token, so that a token's result
        // never depends on the batch it came in (the tiles' per-lane arithmetic is the same).
    }
    if (isBlock32Type(type)) return {ActLayout::Q8_0Panel, &gemmBlock32Panel};
    const int groups = superBlockGroups(type);
    const bool mins = superBlockHasMins(type);
    if (groups == 8) return {ActLayout::Q8_KPanel, mins ? &gemmSuperBlockPanel<8, true> : &gemmSuperBlockPanel<8, false>};
    if (groups == 16) return {ActLayout::Q8_KPanel, mins ? &gemmSuperBlockPanel<16, true> : &gemmSuperBlockPanel<16, false>};
    return {};
}

const VecOps& vecOpsAvx512()
{
    static const VecOps ops = [] {
        VecOps o = vecOpsAvx2();
        o.attentionBlock = &attentionBlockAvx512;
        return o;
    }();
    return ops;
}

PrepareActFn prepareAvx512(ActLayout layout)
{
    switch (layout) {
    case ActLayout::F32Panel: return &prepareF32Panel;
    case ActLayout::Q8_KPanel: return &prepareQ8KPanel;
    case ActLayout::Q8_0Panel: return &prepareQ8_0Panel;
    case ActLayout::GgmlQ8_K: return &prepareGgmlQ8K;
    default: return nullptr;
    }
}

#else

GemmChoice gemmAvx512(DType, std::int64_t) { return {}; }
PrepareActFn prepareAvx512(ActLayout) { return nullptr; }
const VecOps& vecOpsAvx512() { return vecOpsAvx2(); }

#endif

} // namespace condense::model::kernels
