#include "core/model/matmul.h"

#include <algorithm>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

namespace condense::model {

namespace {

struct Plan {
    kernels::GemmChoice choice;
    kernels::PrepareActFn prepare = nullptr;
};

Plan planFor(DType type, std::int64_t n, CpuLevel level, CpuLevel quantLevel)
{
    Plan p;
    if (level == CpuLevel::Avx512) p.choice = kernels::gemmAvx512(type, n);
    if (p.choice.fn == nullptr && level >= CpuLevel::Avx2) p.choice = kernels::gemmAvx2(type, n);
    if (p.choice.fn == nullptr) p.choice = kernels::gemmScalar(type);
    if (p.choice.act == kernels::ActLayout::F32) return p;
    if (level == CpuLevel::Avx512) p.prepare = kernels::prepareAvx512(p.choice.act);
    if (p.prepare == nullptr && level >= CpuLevel::Avx2 && quantLevel >= CpuLevel::Avx2)
        p.prepare = kernels::prepareAvx2(p.choice.act);
    if (p.prepare == nullptr) p.prepare = kernels::prepareScalar(p.choice.act, quantLevel);
    return p;
}

} // namespace

Matmul::Matmul(CpuLevel level, CpuLevel quantLevel)
    : m_level(clampCpuLevel(level)), m_quantLevel(quantLevel),
      m_vec(m_level == CpuLevel::Avx512 ? &kernels::vecOpsAvx512()
            : m_level == CpuLevel::Avx2   ? &kernels::vecOpsAvx2()
                                          : &kernels::vecOpsScalar())
{
}

bool Matmul::supports(DType type) { return kernels::gemmScalar(type).fn != nullptr; }

void Matmul::multiply(const WeightView& w, ActivationBatch& x, float* y, std::int64_t ldy) const
{
    const Plan plan = planFor(w.type, x.n(), m_level, m_quantLevel);
    kernels::GemmTask task;
    task.w = w.data;
    task.wRowBytes = w.rowBytes;
    task.x = x.prepared(plan.choice.act, plan.prepare, task.xRowBytes);
    task.k = w.cols;
    task.n = x.n();
    task.y = y;
    task.ldy = ldy;
    task.type = w.type;
    task.quant = quant::quantKernels(w.type, m_quantLevel);

    // Chunks of rows, a multiple of 32 (every tile height divides it), about 8 per thread so
    // a slow or busy core does not hold the others up.
    const std::int64_t rows = w.rows;
    const int threads = std::max(1, tbb::this_task_arena::max_concurrency());
    std::int64_t chunk = (rows + threads * 8 - 1) / (threads * 8);
    chunk = std::clamp<std::int64_t>((chunk + 31) / 32 * 32, 32, 256);
    const std::int64_t nChunks = (rows + chunk - 1) / chunk;
    auto runChunk = [&](std::int64_t c) {
        kernels::GemmTask t = task;
        t.r0 = c * chunk;
        t.r1 = std::min(rows, t.r0 + chunk);
        plan.choice.fn(t);
    };
    if (nChunks == 1 || threads == 1) {
        for (std::int64_t c = 0; c < nChunks; ++c) runChunk(c);
        return;
    }
    tbb::parallel_for(
        tbb::blocked_range<std::int64_t>(0, nChunks, 1),
        [&](const tbb::blocked_range<std::int64_t>& r) {
            for (std::int64_t c = r.begin(); c != r.end(); ++c) runChunk(c);
        },
        tbb::simple_partitioner());
}

} // namespace condense::model
