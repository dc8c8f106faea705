#include "core/analysis/row_reader.h"

#include <cstdint>

#if !defined(_WIN32)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

namespace condense::analysis {

Result<RowReader> RowReader::open(const io::Checkpoint& ck, std::size_t tensorIndex)
{
    const io::TensorEntry& t = ck.tensors().at(tensorIndex);
    auto bad = [&](ErrorCode code, std::string detail) {
        Error e = makeError(code, ck.path().string(), std::move(detail));
        e.tensor = t.name;
        return e;
    };
    RowReader r;
    r.m_type = t.dtype;
    r.m_cols = t.rowLength();
    const std::uint64_t n = t.elements();
    if (r.m_cols == 0 || n == 0) return bad(ErrorCode::Malformed, "tensor has no elements");
    r.m_rows = n / r.m_cols;
    const DTypeTraits* tr = dtypeTraits(t.dtype);
    if (!tr) return bad(ErrorCode::UnsupportedType, "unknown element type");
    if (tr->isQuantized) {
        const quant::QuantKernels* k = quant::quantKernels(t.dtype);
        if (!k || !k->dequantizeRow)
            return bad(ErrorCode::UnsupportedType, "no dequantizer for " + std::string(dtypeName(t.dtype)));
        r.m_kernels = k;
    } else {
        float probe = 0;
        const std::byte zero[8] = {};
        if (!convertToF32(t.dtype, zero, &probe, 1))
            return bad(ErrorCode::UnsupportedType, "cannot read " + std::string(dtypeName(t.dtype)) + " as floats");
    }
    auto rowBytes = dtypeBytes(t.dtype, r.m_cols, r.m_cols);
    auto total = dtypeBytes(t.dtype, r.m_cols, n);
    if (!rowBytes || !total) return bad(ErrorCode::Malformed, "row length does not fit the type's block size");
    r.m_rowBytes = *rowBytes;
    const auto data = ck.tensorData(tensorIndex);
    if (data.size() < *total)
        return bad(ErrorCode::Truncated, "tensor holds " + std::to_string(data.size()) + " bytes, its shape needs " +
                                             std::to_string(*total));
    r.m_data = data.data();
    r.m_totalBytes = *total;
    return r;
}

void RowReader::read(std::uint64_t row, std::uint64_t count, float* out) const
{
    const std::byte* src = m_data + row * m_rowBytes;
    if (m_kernels) {
        const auto* k = static_cast<const quant::QuantKernels*>(m_kernels);
        for (std::uint64_t i = 0; i < count; ++i)
            k->dequantizeRow(src + i * m_rowBytes, out + i * m_cols, static_cast<std::int64_t>(m_cols));
        return;
    }
    convertToF32(m_type, src, out, static_cast<std::size_t>(count * m_cols));
}

void RowReader::release() const
{
#if !defined(_WIN32) && defined(MADV_DONTNEED)
    static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    if (!m_data || m_totalBytes == 0 || page == 0) return;
    const auto a = reinterpret_cast<std::uintptr_t>(m_data);
    const std::uintptr_t begin = (a + page - 1) / page * page;
    const std::uintptr_t end = (a + m_totalBytes) / page * page;
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#endif
}

} // namespace condense::analysis
