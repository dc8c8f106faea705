#include "core/analysis/row_reader.h"

namespace condense::analysis {

Result<RowReader> RowReader::open(const io::Checkpoint& ck, std::size_t tensorIndex)
{
    auto src = quant::RowSource::open(ck, tensorIndex, quant::RowOrder::Source);
    if (!src) return std::move(src).error();
    if (src->rows() == 0 || src->cols() == 0) {
        Error e = makeError(ErrorCode::Malformed, ck.path().string(), "tensor has no elements");
        e.tensor = src->name();
        return e;
    }
    RowReader r;
    r.m_source.emplace(std::move(*src));
    return r;
}

void RowReader::read(std::uint64_t row, std::uint64_t count, float* out) const
{
    // In range by construction (the callers read rows [0, rows())); RowSource checked the bytes.
    (void)m_source->read(row, count, out);
}

void RowReader::release() const { quant::releaseInputPages(m_source->storedBytes()); }

} // namespace condense::analysis
