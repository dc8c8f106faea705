#include "core/model/owned_weight.h"

#include <cstring>
#include <string>

#include "core/model/matmul.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

namespace condense::model {

namespace {

// Bytes of one row of `cols` elements, or an error naming why not.
Result<std::size_t> rowBytesOf(DType type, std::int64_t rows, std::int64_t cols)
{
    if (rows < 1 || cols < 1) return makeError(ErrorCode::InvalidArgument, "", "empty weight shape");
    if (!Matmul::supports(type))
        return makeError(ErrorCode::UnsupportedType, "", "no matrix kernels for type " + std::string(dtypeName(type)));
    const auto rb = dtypeBytes(type, static_cast<std::uint64_t>(cols), static_cast<std::uint64_t>(cols));
    if (!rb || !checkedMul(*rb, static_cast<std::uint64_t>(rows)))
        return makeError(ErrorCode::InvalidArgument, "",
                         std::to_string(cols) + " columns do not fit type " + std::string(dtypeName(type)));
    return static_cast<std::size_t>(*rb);
}

} // namespace

Result<std::shared_ptr<const OwnedWeight>> OwnedWeight::fromBytes(DType type, std::int64_t rows, std::int64_t cols,
                                                                  std::span<const std::byte> bytes)
{
    auto rb = rowBytesOf(type, rows, cols);
    if (!rb) return std::move(rb).error();
    const std::size_t total = *rb * static_cast<std::size_t>(rows);
    if (bytes.size() != total)
        return makeError(ErrorCode::InvalidArgument, "",
                         std::to_string(bytes.size()) + " bytes given, " + std::to_string(total) + " needed");
    auto w = std::shared_ptr<OwnedWeight>(new OwnedWeight());
    w->m_bytes.reserve(total);
    std::memcpy(w->m_bytes.data(), bytes.data(), total);
    w->m_view = WeightView{type, w->m_bytes.data(), rows, cols, *rb};
    return std::shared_ptr<const OwnedWeight>(std::move(w));
}

Result<std::shared_ptr<const OwnedWeight>> OwnedWeight::fromFloats(DType type, std::int64_t rows, std::int64_t cols,
                                                                   std::span<const float> values)
{
    auto rb = rowBytesOf(type, rows, cols);
    if (!rb) return std::move(rb).error();
    if (values.size() != static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols))
        return makeError(ErrorCode::InvalidArgument, "",
                         std::to_string(values.size()) + " floats given for a " + std::to_string(rows) + " x " +
                             std::to_string(cols) + " matrix");
    auto w = std::shared_ptr<OwnedWeight>(new OwnedWeight());
    w->m_bytes.reserve(*rb * static_cast<std::size_t>(rows));
    w->m_view = WeightView{type, w->m_bytes.data(), rows, cols, *rb};
    const DTypeTraits* tr = dtypeTraits(type);
    bool ok = false;
    if (tr != nullptr && tr->isQuantized) {
        const quant::QuantKernels* q = quant::quantKernels(type);
        ok = q != nullptr && !q->requiresImportance &&
             quant::quantizeRows(type, values.data(), w->m_bytes.data(), rows, cols, nullptr);
    } else {
        ok = convertFromF32(type, values.data(), w->m_bytes.data(), values.size());
    }
    if (!ok) return makeError(ErrorCode::UnsupportedType, "", "cannot write type " + std::string(dtypeName(type)) + " from floats");
    return std::shared_ptr<const OwnedWeight>(std::move(w));
}

Result<std::vector<float>> toFloats(const WeightView& w)
{
    std::vector<float> out(static_cast<std::size_t>(w.rows) * static_cast<std::size_t>(w.cols));
    const DTypeTraits* tr = dtypeTraits(w.type);
    for (std::int64_t r = 0; r < w.rows; ++r) {
        float* dst = out.data() + r * w.cols;
        if (tr != nullptr && tr->isQuantized) {
            const quant::QuantKernels* q = quant::quantKernels(w.type);
            if (q == nullptr) return makeError(ErrorCode::UnsupportedType, "", "cannot dequantize type " + std::string(dtypeName(w.type)));
            q->dequantizeRow(w.row(r), dst, w.cols);
        } else if (!convertToF32(w.type, w.row(r), dst, static_cast<std::size_t>(w.cols))) {
            return makeError(ErrorCode::UnsupportedType, "", "cannot read type " + std::string(dtypeName(w.type)) + " as float");
        }
    }
    return out;
}

} // namespace condense::model
