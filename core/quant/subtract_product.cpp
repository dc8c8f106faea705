#include "core/quant/subtract_product.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONDENSE_SUBTRACT_AVX2 __attribute__((target("avx2,fma")))
#define CONDENSE_SUBTRACT_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define CONDENSE_HAVE_SUBTRACT_SIMD 1
#endif

namespace condense::quant {

namespace {

struct Args {
    double* c;
    std::int64_t ldc;
    const double* b;
    std::int64_t ldb;
    std::int64_t depth;
};

// A tile: rows [i0, i0 + nr) (nr <= the kernel's rows) x columns [j0, j0 + NC). `panel` holds
// A's rows i0 .. i0 + R - 1 packed depth-major (panel[p * R + r] = a(i0 + r, p), zeros past
// the last row). Each entry: s = 0, s = fma(a_p, b_p, s) for p in order, then c - s.
using TileFn = void (*)(const Args&, const double* panel, std::int64_t i0, std::int64_t j0, int nr);

#ifdef CONDENSE_HAVE_SUBTRACT_SIMD
// 8 rows (two registers) x NC <= 4 columns.
template <int NC>
CONDENSE_SUBTRACT_AVX2 void tileAvx2(const Args& x, const double* panel, std::int64_t i0, std::int64_t j0, int nr)
{
    __m256d s[NC][2];
    for (auto& col : s) col[0] = col[1] = _mm256_setzero_pd();
    const double* b0 = x.b + j0 * x.ldb;
    for (std::int64_t p = 0; p < x.depth; ++p) {
        const double* ap = panel + p * 8;
        const __m256d a0 = _mm256_loadu_pd(ap), a1 = _mm256_loadu_pd(ap + 4);
#pragma GCC unroll 4
        for (int j = 0; j < NC; ++j) {
            const __m256d bv = _mm256_broadcast_sd(b0 + j * x.ldb + p);
            s[j][0] = _mm256_fmadd_pd(a0, bv, s[j][0]);
            s[j][1] = _mm256_fmadd_pd(a1, bv, s[j][1]);
        }
    }
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    const __m256i m0 = _mm256_cmpgt_epi64(_mm256_set1_epi64x(nr), lane);
    const __m256i m1 = _mm256_cmpgt_epi64(_mm256_set1_epi64x(nr - 4), lane);
#pragma GCC unroll 4
    for (int j = 0; j < NC; ++j) {
        double* cj = x.c + (j0 + j) * x.ldc + i0;
        _mm256_maskstore_pd(cj, m0, _mm256_sub_pd(_mm256_maskload_pd(cj, m0), s[j][0]));
        _mm256_maskstore_pd(cj + 4, m1, _mm256_sub_pd(_mm256_maskload_pd(cj + 4, m1), s[j][1]));
    }
}

// 16 rows (two registers) x NC <= 6 columns.
template <int NC>
CONDENSE_SUBTRACT_AVX512 void tileAvx512(const Args& x, const double* panel, std::int64_t i0, std::int64_t j0, int nr)
{
    __m512d s[NC][2];
    for (auto& col : s) col[0] = col[1] = _mm512_setzero_pd();
    const double* b0 = x.b + j0 * x.ldb;
    for (std::int64_t p = 0; p < x.depth; ++p) {
        const double* ap = panel + p * 16;
        const __m512d a0 = _mm512_loadu_pd(ap), a1 = _mm512_loadu_pd(ap + 8);
#pragma GCC unroll 6
        for (int j = 0; j < NC; ++j) {
            const __m512d bv = _mm512_set1_pd(b0[j * x.ldb + p]);
            s[j][0] = _mm512_fmadd_pd(a0, bv, s[j][0]);
            s[j][1] = _mm512_fmadd_pd(a1, bv, s[j][1]);
        }
    }
    const auto m0 = static_cast<__mmask8>(nr >= 8 ? 0xff : (1u << nr) - 1u);
    const auto m1 = static_cast<__mmask8>(nr >= 16 ? 0xff : nr > 8 ? (1u << (nr - 8)) - 1u : 0u);
#pragma GCC unroll 6
    for (int j = 0; j < NC; ++j) {
        double* cj = x.c + (j0 + j) * x.ldc + i0;
        _mm512_mask_storeu_pd(cj, m0, _mm512_sub_pd(_mm512_maskz_loadu_pd(m0, cj), s[j][0]));
        _mm512_mask_storeu_pd(cj + 8, m1, _mm512_sub_pd(_mm512_maskz_loadu_pd(m1, cj + 8), s[j][1]));
    }
}
#endif

struct Kernel {
    std::array<TileFn, 7> tile{}; // tile[nc]: nc columns (1 .. cols); empty: the scalar reference
    std::int64_t rows = 1, cols = 1;
};

Kernel chooseKernel(CpuLevel level)
{
    Kernel k;
#ifdef CONDENSE_HAVE_SUBTRACT_SIMD
    const CpuFeatures& f = CpuFeatures::host();
    const CpuLevel l = clampCpuLevel(level);
    if (l == CpuLevel::Avx512 && f.avx512f && f.fma) {
        k.tile = {nullptr, tileAvx512<1>, tileAvx512<2>, tileAvx512<3>, tileAvx512<4>, tileAvx512<5>, tileAvx512<6>};
        k.rows = 16;
        k.cols = 6;
    } else if (l != CpuLevel::Scalar && f.avx2 && f.fma) {
        k.tile = {nullptr, tileAvx2<1>, tileAvx2<2>, tileAvx2<3>, tileAvx2<4>, nullptr, nullptr};
        k.rows = 8;
        k.cols = 4;
    }
#else
    (void)level;
#endif
    return k;
}

// The reference: every entry by std::fma in depth order.
void subtractScalar(double* c, std::int64_t ldc, const double* a, std::int64_t lda, const double* b, std::int64_t ldb,
                    std::int64_t i0, std::int64_t i1, std::int64_t j0, std::int64_t j1, std::int64_t depth)
{
    for (std::int64_t j = j0; j < j1; ++j)
        for (std::int64_t i = i0; i < i1; ++i) {
            double s = 0.0;
            for (std::int64_t p = 0; p < depth; ++p) s = std::fma(a[p * lda + i], b[j * ldb + p], s);
            c[j * ldc + i] -= s;
        }
}

} // namespace

void subtractProduct(double* c, std::int64_t ldc, const double* a, std::int64_t lda, const double* b, std::int64_t ldb,
                     std::int64_t rows, std::int64_t n, std::int64_t depth, CpuLevel level)
{
    if (rows <= 0 || n <= 0 || depth <= 0) return;
    const Kernel k = chooseKernel(level);
    const bool parallel = rows * n * depth >= (std::int64_t{1} << 20); // multiply-adds
    if (!k.tile[1]) {
        auto cols = [&](std::int64_t j0, std::int64_t j1) { subtractScalar(c, ldc, a, lda, b, ldb, 0, rows, j0, j1, depth); };
        if (parallel)
            tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n, 8),
                              [&](const tbb::blocked_range<std::int64_t>& r) { cols(r.begin(), r.end()); });
        else
            cols(0, n);
        return;
    }
    // A's rows packed into depth-major panels of k.rows (zero-padded; a macro block of rows at a
    // time, so the panels stay a few MB), then column chunks of 8 tiles in parallel, each tile
    // running over its panel and up to k.cols columns of B.
    const Args x{c, ldc, b, ldb, depth};
    constexpr std::int64_t kMacroRows = 512;
    const std::int64_t macro = std::max<std::int64_t>(k.rows, kMacroRows / k.rows * k.rows);
    const std::int64_t chunk = k.cols * 8;
    const std::int64_t chunks = (n + chunk - 1) / chunk;
    std::vector<double> packed;
    for (std::int64_t r0 = 0; r0 < rows; r0 += macro) {
        const std::int64_t r1 = std::min(rows, r0 + macro), panels = (r1 - r0 + k.rows - 1) / k.rows;
        packed.resize(static_cast<std::size_t>(panels * k.rows * depth));
        auto pack = [&](std::int64_t q0, std::int64_t q1) {
            for (std::int64_t q = q0; q < q1; ++q) {
                double* dst = packed.data() + q * depth * k.rows;
                const std::int64_t first = r0 + q * k.rows, valid = std::min(k.rows, r1 - first);
                for (std::int64_t p = 0; p < depth; ++p) {
                    const double* src = a + p * lda + first;
                    for (std::int64_t r = 0; r < k.rows; ++r) dst[p * k.rows + r] = r < valid ? src[r] : 0.0;
                }
            }
        };
        auto run = [&](std::int64_t c0, std::int64_t c1) {
            for (std::int64_t q = c0; q < c1; ++q) {
                const std::int64_t j1 = std::min(n, (q + 1) * chunk);
                for (std::int64_t pi = 0; pi < panels; ++pi) {
                    const std::int64_t i0 = r0 + pi * k.rows;
                    const int nr = static_cast<int>(std::min(k.rows, r1 - i0));
                    for (std::int64_t j = q * chunk; j < j1; j += k.cols)
                        k.tile[static_cast<std::size_t>(std::min(k.cols, j1 - j))](x, packed.data() + pi * depth * k.rows, i0, j, nr);
                }
            }
        };
        if (parallel) {
            tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, panels),
                              [&](const tbb::blocked_range<std::int64_t>& r) { pack(r.begin(), r.end()); });
            tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, chunks),
                              [&](const tbb::blocked_range<std::int64_t>& r) { run(r.begin(), r.end()); });
        } else {
            pack(0, panels);
            run(0, chunks);
        }
    }
}

} // namespace condense::quant
