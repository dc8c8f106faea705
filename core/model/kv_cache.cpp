#include "core/model/kv_cache.h"

namespace condense::model {

KvCache::KvCache(std::int64_t layers, std::int64_t kvHeads, std::int64_t headDim, std::int64_t nCtx)
    : m_layers(layers), m_kvHeads(kvHeads), m_headDim(headDim), m_nCtx(nCtx),
      m_stride(static_cast<std::size_t>(layers * kvHeads * headDim * nCtx))
{
    m_data.reserve(2 * m_stride * sizeof(float));
}

} // namespace condense::model
