#include "core/model/hessian_accumulator.h"

#include <algorithm>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "core/common/cpu_features.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONDENSE_HESSIAN_AVX2 __attribute__((target("avx2,fma")))
#define CONDENSE_HESSIAN_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define CONDENSE_HAVE_HESSIAN_AVX2 1
#endif

namespace condense::model {

namespace {

// The batch is packed once into panels of kPanel columns, as doubles: panel p holds, token
// after token, the kPanel values x_t[kPanel p .. kPanel p + kPanel - 1] (zero past the last
// column), so a micro-kernel streams two panels contiguously. A micro-kernel keeps a
// kRows x kPanel block of H in registers over all tokens of the batch.
//
// Every product x_t[i] * x_t[j] of two floats is exact in double, so a fused multiply-add
// rounds exactly as the separate add does: each H entry is the sum, in token order, of exact
// products, whichever kernel runs (the same value as the naive double loop).
constexpr std::int64_t kPanel = 8;
// Tile edge (a multiple of kPanel): the unit of parallel work.
constexpr std::int64_t kTile = 64;
// Below this many multiply-adds a batch is summed on the calling thread.
constexpr std::int64_t kSerialWork = std::int64_t{1} << 18;

// acc[r * 8 + k] += sum_t a[t * kPanel + r] * b[t * kPanel + k] (r < 4, k < 8; b one panel).
void microKernelScalar(const double* a, const double* b, std::int64_t tokens, std::int64_t, double* acc)
{
    for (std::int64_t t = 0; t < tokens; ++t) {
        const double* at = a + t * kPanel;
        const double* bt = b + t * kPanel;
        for (std::int64_t r = 0; r < 4; ++r)
            for (std::int64_t k = 0; k < kPanel; ++k) acc[r * kPanel + k] += at[r] * bt[k];
    }
}

#ifdef CONDENSE_HAVE_HESSIAN_AVX2
CONDENSE_HESSIAN_AVX2 void microKernelAvx2(const double* a, const double* b, std::int64_t tokens, std::int64_t, double* acc)
{
    __m256d c00 = _mm256_loadu_pd(acc + 0), c01 = _mm256_loadu_pd(acc + 4);
    __m256d c10 = _mm256_loadu_pd(acc + 8), c11 = _mm256_loadu_pd(acc + 12);
    __m256d c20 = _mm256_loadu_pd(acc + 16), c21 = _mm256_loadu_pd(acc + 20);
    __m256d c30 = _mm256_loadu_pd(acc + 24), c31 = _mm256_loadu_pd(acc + 28);
    for (std::int64_t t = 0; t < tokens; ++t) {
        const double* at = a + t * kPanel;
        const __m256d b0 = _mm256_loadu_pd(b + t * kPanel);
        const __m256d b1 = _mm256_loadu_pd(b + t * kPanel + 4);
        __m256d x = _mm256_broadcast_sd(at + 0);
        c00 = _mm256_fmadd_pd(x, b0, c00);
        c01 = _mm256_fmadd_pd(x, b1, c01);
        x = _mm256_broadcast_sd(at + 1);
        c10 = _mm256_fmadd_pd(x, b0, c10);
        c11 = _mm256_fmadd_pd(x, b1, c11);
        x = _mm256_broadcast_sd(at + 2);
        c20 = _mm256_fmadd_pd(x, b0, c20);
        c21 = _mm256_fmadd_pd(x, b1, c21);
        x = _mm256_broadcast_sd(at + 3);
        c30 = _mm256_fmadd_pd(x, b0, c30);
        c31 = _mm256_fmadd_pd(x, b1, c31);
    }
    _mm256_storeu_pd(acc + 0, c00);
    _mm256_storeu_pd(acc + 4, c01);
    _mm256_storeu_pd(acc + 8, c10);
    _mm256_storeu_pd(acc + 12, c11);
    _mm256_storeu_pd(acc + 16, c20);
    _mm256_storeu_pd(acc + 20, c21);
    _mm256_storeu_pd(acc + 24, c30);
    _mm256_storeu_pd(acc + 28, c31);
}

// 8 rows x 16 columns (two panels, b and b + panelSize): acc[r * 16 + k]. Per token two panel
// loads and eight broadcasts feed sixteen FMAs.
CONDENSE_HESSIAN_AVX512 void microKernelAvx512(const double* a, const double* b, std::int64_t tokens, std::int64_t panelSize,
                                               double* acc)
{
    __m512d c[8][2];
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
        c[r][0] = _mm512_loadu_pd(acc + 16 * r);
        c[r][1] = _mm512_loadu_pd(acc + 16 * r + 8);
    }
    const double* b2 = b + panelSize;
    for (std::int64_t t = 0; t < tokens; ++t) {
        const double* at = a + t * kPanel;
        const __m512d b0 = _mm512_loadu_pd(b + t * kPanel);
        const __m512d b1 = _mm512_loadu_pd(b2 + t * kPanel);
#pragma GCC unroll 8
        for (int r = 0; r < 8; ++r) {
            const __m512d x = _mm512_set1_pd(at[r]);
            c[r][0] = _mm512_fmadd_pd(x, b0, c[r][0]);
            c[r][1] = _mm512_fmadd_pd(x, b1, c[r][1]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < 8; ++r) {
        _mm512_storeu_pd(acc + 16 * r, c[r][0]);
        _mm512_storeu_pd(acc + 16 * r + 8, c[r][1]);
    }
}
#endif

HessianAccumulator::Kernel chooseKernel(CpuLevel level)
{
#ifdef CONDENSE_HAVE_HESSIAN_AVX2
    const CpuFeatures& f = CpuFeatures::host();
    const CpuLevel l = clampCpuLevel(level);
    if (l == CpuLevel::Avx512 && f.avx512f && f.fma) return {microKernelAvx512, 8, 16};
    if (l != CpuLevel::Scalar && f.avx2 && f.fma) return {microKernelAvx2, 4, 8};
#else
    (void)level;
#endif
    return {microKernelScalar, 4, 8};
}

// H rows [i0, i1) x columns [j0, j1) of the upper triangle (blocks wholly below the diagonal
// are skipped; the few lower entries a diagonal block also sums are overwritten by take()).
// The packed batch has one zero panel past the last, so a kernel wider than the columns left
// reads zeros there.
void accumulateTile(const HessianAccumulator::Kernel& kernel, const double* packed, std::int64_t tokens, std::int64_t n,
                    double* h, std::int64_t i0, std::int64_t i1, std::int64_t j0, std::int64_t j1)
{
    const std::int64_t panelSize = tokens * kPanel;
    const std::int64_t kr = kernel.rows, kc = kernel.cols;
    alignas(64) double acc[8 * 16];
    for (std::int64_t ib = i0; ib < i1; ib += kr) {
        const std::int64_t rows = std::min(kr, n - ib);
        const double* a = packed + (ib / kPanel) * panelSize + ib % kPanel;
        for (std::int64_t jb = j0; jb < j1; jb += kc) {
            if (jb + kc <= ib) continue; // below the diagonal
            const std::int64_t cols = std::min({kc, n - jb, j1 - jb});
            for (std::int64_t r = 0; r < kr; ++r)
                for (std::int64_t k = 0; k < kc; ++k) acc[r * kc + k] = r < rows && k < cols ? h[(ib + r) * n + jb + k] : 0.0;
            kernel.fn(a, packed + (jb / kPanel) * panelSize, tokens, panelSize, acc);
            for (std::int64_t r = 0; r < rows; ++r)
                for (std::int64_t k = 0; k < cols; ++k) h[(ib + r) * n + jb + k] = acc[r * kc + k];
        }
    }
}

} // namespace

HessianAccumulator::HessianAccumulator(CpuLevel level) : m_kernel(chooseKernel(level)) {}

void HessianAccumulator::observe(const LinearInput& in)
{
    if (!wants(in.layer) || in.nTokens <= 0 || in.cols <= 0) return;
    Entry& e = m_entries[Key{in.layer, static_cast<int>(in.site)}];
    if (e.h.empty()) {
        e.cols = in.cols;
        e.h.assign(static_cast<std::size_t>(in.cols * in.cols), 0.0);
    }
    if (e.cols != in.cols) return; // a site has one width per model; never happens
    e.tokens += in.nTokens;
    const Kernel kernel = m_kernel;

    const std::int64_t n = in.cols, tokens = in.nTokens;
    const std::int64_t panels = (n + kPanel - 1) / kPanel;
    m_packed.resize(static_cast<std::size_t>((panels + 1) * tokens * kPanel));
    double* packed = m_packed.data();
    std::fill(packed + panels * tokens * kPanel, packed + (panels + 1) * tokens * kPanel, 0.0); // the zero panel
    auto pack = [&](std::int64_t p0, std::int64_t p1) {
        for (std::int64_t p = p0; p < p1; ++p) {
            double* dst = packed + p * tokens * kPanel;
            const std::int64_t c0 = p * kPanel, width = std::min(kPanel, n - c0);
            for (std::int64_t t = 0; t < tokens; ++t) {
                const float* x = in.row(t) + c0;
                for (std::int64_t k = 0; k < kPanel; ++k) dst[t * kPanel + k] = k < width ? static_cast<double>(x[k]) : 0.0;
            }
        }
    };

    double* h = e.h.data();
    const std::int64_t tiles = (n + kTile - 1) / kTile;
    // The upper-triangle tiles (ti <= tj), numbered row by row; each tile owns its part of H.
    const std::int64_t count = tiles * (tiles + 1) / 2;
    auto tileAt = [&](std::int64_t k, std::int64_t& ti, std::int64_t& tj) {
        ti = 0;
        while (k >= tiles - ti) {
            k -= tiles - ti;
            ++ti;
        }
        tj = ti + k;
    };
    auto run = [&](std::int64_t k0, std::int64_t k1) {
        for (std::int64_t k = k0; k < k1; ++k) {
            std::int64_t ti = 0, tj = 0;
            tileAt(k, ti, tj);
            accumulateTile(kernel, packed, tokens, n, h, ti * kTile, std::min(n, (ti + 1) * kTile), tj * kTile,
                           std::min(n, (tj + 1) * kTile));
        }
    };
    if (tokens * n * n / 2 < kSerialWork) {
        pack(0, panels);
        run(0, count);
        return;
    }
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, panels),
                      [&](const tbb::blocked_range<std::int64_t>& r) { pack(r.begin(), r.end()); });
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, count),
                      [&](const tbb::blocked_range<std::int64_t>& r) { run(r.begin(), r.end()); });
}

std::vector<double> HessianAccumulator::take(std::int64_t layer, LinearSite site)
{
    auto it = m_entries.find(Key{layer, static_cast<int>(site)});
    if (it == m_entries.end()) return {};
    std::vector<double> h = std::move(it->second.h);
    const std::int64_t n = it->second.cols;
    m_entries.erase(it);
    // Mirror the upper triangle, in tiles so both sides stay in cache.
    for (std::int64_t i0 = 0; i0 < n; i0 += kTile)
        for (std::int64_t j0 = i0; j0 < n; j0 += kTile)
            for (std::int64_t i = i0; i < std::min(n, i0 + kTile); ++i)
                for (std::int64_t j = std::max(i + 1, j0); j < std::min(n, j0 + kTile); ++j)
                    h[static_cast<std::size_t>(j * n + i)] = h[static_cast<std::size_t>(i * n + j)];
    return h;
}

std::int64_t HessianAccumulator::tokens(std::int64_t layer, LinearSite site) const
{
    auto it = m_entries.find(Key{layer, static_cast<int>(site)});
    return it == m_entries.end() ? 0 : it->second.tokens;
}

std::int64_t HessianAccumulator::cols(std::int64_t layer, LinearSite site) const
{
    auto it = m_entries.find(Key{layer, static_cast<int>(site)});
    return it == m_entries.end() ? 0 : it->second.cols;
}

std::size_t HessianAccumulator::heldBytes() const
{
    std::size_t bytes = 0;
    for (const auto& [key, e] : m_entries) bytes += e.h.size() * sizeof(double);
    return bytes;
}

} // namespace condense::model
