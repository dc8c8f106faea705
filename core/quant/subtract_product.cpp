#include "core/quant/subtract_product.h"

#include <algorithm>
#include <cmath>

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
    const double* a;
    std::int64_t lda;
    const double* b;
    std::int64_t ldb;
    std::int64_t depth;
};

// One entry (the reference every kernel matches).
inline void entryScalar(const Args& x, std::int64_t i, std::int64_t j)
{
    double s = 0.0;
    for (std::int64_t p = 0; p < x.depth; ++p) s = std::fma(x.a[p * x.lda + i], x.b[j * x.ldb + p], s);
    x.c[j * x.ldc + i] -= s;
}

// A tile of full kernel width: rows [i0, i0 + R) x columns [j0, j0 + C).
using TileFn = void (*)(const Args&, std::int64_t i0, std::int64_t j0);

#ifdef CONDENSE_HAVE_SUBTRACT_SIMD
// 8 rows (two registers) x 4 columns.
CONDENSE_SUBTRACT_AVX2 void tileAvx2(const Args& x, std::int64_t i0, std::int64_t j0)
{
    __m256d s[4][2];
    for (auto& col : s) col[0] = col[1] = _mm256_setzero_pd();
    const double* b0 = x.b + j0 * x.ldb;
    for (std::int64_t p = 0; p < x.depth; ++p) {
        const double* ap = x.a + p * x.lda + i0;
        const __m256d a0 = _mm256_loadu_pd(ap), a1 = _mm256_loadu_pd(ap + 4);
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
            const __m256d bv = _mm256_broadcast_sd(b0 + j * x.ldb + p);
            s[j][0] = _mm256_fmadd_pd(a0, bv, s[j][0]);
            s[j][1] = _mm256_fmadd_pd(a1, bv, s[j][1]);
        }
    }
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
        double* cj = x.c + (j0 + j) * x.ldc + i0;
        _mm256_storeu_pd(cj, _mm256_sub_pd(_mm256_loadu_pd(cj), s[j][0]));
        _mm256_storeu_pd(cj + 4, _mm256_sub_pd(_mm256_loadu_pd(cj + 4), s[j][1]));
    }
}

// 16 rows (two registers) x 6 columns.
CONDENSE_SUBTRACT_AVX512 void tileAvx512(const Args& x, std::int64_t i0, std::int64_t j0)
{
    __m512d s[6][2];
    for (auto& col : s) col[0] = col[1] = _mm512_setzero_pd();
    const double* b0 = x.b + j0 * x.ldb;
    for (std::int64_t p = 0; p < x.depth; ++p) {
        const double* ap = x.a + p * x.lda + i0;
        const __m512d a0 = _mm512_loadu_pd(ap), a1 = _mm512_loadu_pd(ap + 8);
#pragma GCC unroll 6
        for (int j = 0; j < 6; ++j) {
            const __m512d bv = _mm512_set1_pd(b0[j * x.ldb + p]);
            s[j][0] = _mm512_fmadd_pd(a0, bv, s[j][0]);
            s[j][1] = _mm512_fmadd_pd(a1, bv, s[j][1]);
        }
    }
#pragma GCC unroll 6
    for (int j = 0; j < 6; ++j) {
        double* cj = x.c + (j0 + j) * x.ldc + i0;
        _mm512_storeu_pd(cj, _mm512_sub_pd(_mm512_loadu_pd(cj), s[j][0]));
        _mm512_storeu_pd(cj + 8, _mm512_sub_pd(_mm512_loadu_pd(cj + 8), s[j][1]));
    }
}
#endif

struct Kernel {
    TileFn tile = nullptr; // null: every entry by entryScalar
    std::int64_t rows = 1, cols = 1;
};

Kernel chooseKernel(CpuLevel level)
{
#ifdef CONDENSE_HAVE_SUBTRACT_SIMD
    const CpuFeatures& f = CpuFeatures::host();
    const CpuLevel l = clampCpuLevel(level);
    if (l == CpuLevel::Avx512 && f.avx512f && f.fma) return {tileAvx512, 16, 6};
    if (l != CpuLevel::Scalar && f.avx2 && f.fma) return {tileAvx2, 8, 4};
#else
    (void)level;
#endif
    return {};
}

// Columns [j0, j1): full tiles by the kernel, the edges entry by entry. Row blocks of 128
// keep the A panel of a tile row in cache while the chunk's columns pass.
void columns(const Kernel& k, const Args& x, std::int64_t rows, std::int64_t j0, std::int64_t j1)
{
    constexpr std::int64_t kRowBlock = 128;
    const std::int64_t fullRows = k.tile ? rows / k.rows * k.rows : 0;
    const std::int64_t fullCols = k.tile ? j0 + (j1 - j0) / k.cols * k.cols : j0;
    for (std::int64_t r0 = 0; r0 < fullRows; r0 += kRowBlock) {
        const std::int64_t r1 = std::min(fullRows, r0 + kRowBlock);
        for (std::int64_t j = j0; j < fullCols; j += k.cols)
            for (std::int64_t i = r0; i < r1; i += k.rows) k.tile(x, i, j);
    }
    for (std::int64_t j = j0; j < j1; ++j)
        for (std::int64_t i = j < fullCols ? fullRows : 0; i < rows; ++i) entryScalar(x, i, j);
}

} // namespace

void subtractProduct(double* c, std::int64_t ldc, const double* a, std::int64_t lda, const double* b, std::int64_t ldb,
                     std::int64_t rows, std::int64_t n, std::int64_t depth, CpuLevel level)
{
    if (rows <= 0 || n <= 0 || depth <= 0) return;
    const Kernel k = chooseKernel(level);
    const Args x{c, ldc, a, lda, b, ldb, depth};
    // Chunks of columns (a multiple of the tile width, so only the last chunk has edge columns).
    const std::int64_t chunk = k.cols * 8;
    const std::int64_t chunks = (n + chunk - 1) / chunk;
    auto run = [&](std::int64_t c0, std::int64_t c1) {
        for (std::int64_t q = c0; q < c1; ++q) columns(k, x, rows, q * chunk, std::min(n, (q + 1) * chunk));
    };
    constexpr std::int64_t kSerialWork = std::int64_t{1} << 20; // multiply-adds
    if (rows * n * depth < kSerialWork || chunks == 1) {
        run(0, chunks);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, chunks),
                      [&](const tbb::blocked_range<std::int64_t>& r) { run(r.begin(), r.end()); });
}

} // namespace condense::quant
