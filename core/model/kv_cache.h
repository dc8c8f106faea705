#pragma once
// KvCache: the keys and values of every layer for positions 0 .. nCtx-1, float32.
// Layout per layer and kv head: keys transposed, [headDim][nCtx] (dimension d of all positions
// contiguous, so the score kernels load 8 or 16 keys' d-th values as one vector), values
// [nCtx][headDim]. Keys are stored after RoPE (and after the qwen3 k-norm).

#include <cstdint>

#include "core/model/aligned_buffer.h"

namespace condense::model {

class KvCache {
public:
    KvCache(std::int64_t layers, std::int64_t kvHeads, std::int64_t headDim, std::int64_t nCtx);

    std::int64_t layers() const { return m_layers; }
    std::int64_t contextSize() const { return m_nCtx; }
    std::int64_t headDim() const { return m_headDim; }
    std::uint64_t bytes() const { return 2 * m_stride * sizeof(float); }

    // Kt[d * contextSize() + pos]
    float* keys(std::int64_t layer, std::int64_t kvHead) { return base(0, layer, kvHead); }
    // V[pos * headDim() + d]
    float* values(std::int64_t layer, std::int64_t kvHead) { return base(1, layer, kvHead); }

private:
    float* base(int which, std::int64_t layer, std::int64_t kvHead)
    {
        return m_data.as<float>() + static_cast<std::size_t>(which) * m_stride +
               static_cast<std::size_t>((layer * m_kvHeads + kvHead) * m_nCtx * m_headDim);
    }
    std::int64_t m_layers, m_kvHeads, m_headDim, m_nCtx;
    std::size_t m_stride; // floats per K (or V) cache
    AlignedBuffer m_data;
};

} // namespace condense::model
