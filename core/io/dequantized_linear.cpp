#include "core/io/dequantized_linear.h"

#include "core/io/packed_linear_reader.h"

namespace condense::io {

Result<std::shared_ptr<DequantizedLinear>> DequantizedLinear::create(std::string file, std::string prefix, const PackConfig& config,
                                                                     std::vector<PackedView> views)
{
    auto checked = unpackPackedLinear(views, config, UnpackMode::Check);
    if (!checked) {
        Error e = std::move(checked).error();
        e.file = file;
        e.tensor = prefix + "." + (e.tensor.empty() ? std::string(packedMarkerSuffix(config.format)) : e.tensor);
        return e;
    }
    auto d = std::shared_ptr<DequantizedLinear>(new DequantizedLinear());
    d->m_file = std::move(file);
    d->m_prefix = std::move(prefix);
    d->m_config = config;
    d->m_views = std::move(views);
    d->m_rows = checked->rows;
    d->m_cols = checked->cols;
    return d;
}

std::span<const std::byte> DequantizedLinear::data() const
{
    try {
        std::call_once(m_once, [this] {
            auto u = unpackPackedLinear(m_views, m_config, UnpackMode::Full);
            // Cannot fail after create()'s checks (the views are immutable mappings).
            if (u) m_weight = std::move(u->dequantized);
            m_decoded.store(true, std::memory_order_release);
        });
    } catch (const std::bad_alloc&) {
        return {};
    }
    return std::as_bytes(std::span<const float>(m_weight));
}

bool DequantizedLinear::decoded() const { return m_decoded.load(std::memory_order_acquire); }

} // namespace condense::io
