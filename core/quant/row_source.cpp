#include "core/quant/row_source.h"

#include <cstring>
#include <vector>

#include "core/arch/tensor_naming.h"
#include "core/tensor/float_convert.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/float_convert.h"

#ifndef _WIN32
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace condense::quant {

namespace {

bool isPlainFloat(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64; }
bool isFloatOutput(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

Error tensorError(ErrorCode code, const std::string& file, const std::string& tensor, std::string detail)
{
    Error e = makeError(code, file, std::move(detail));
    e.tensor = tensor;
    return e;
}

} // namespace

std::uint64_t llamaCppPermuteHeads(const io::Checkpoint& input, std::size_t tensor)
{
    if (input.format() == io::CheckpointFormat::Gguf || tensor >= input.tensors().size()) return 0;
    const arch::ModelSpec& spec = input.spec();
    if (spec.family != arch::Family::Llama && spec.family != arch::Family::Mistral) return 0;
    switch (arch::qkPermuteFor(input.tensors()[tensor].name)) {
    case arch::QkPermute::Query: return spec.numHeads;
    case arch::QkPermute::Key: return spec.numKvHeads;
    case arch::QkPermute::None: break;
    }
    return 0;
}

void releaseInputPages([[maybe_unused]] std::span<const std::byte> bytes) noexcept
{
#if !defined(_WIN32) && defined(MADV_DONTNEED)
    static const std::uintptr_t page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
    if (bytes.empty() || page == 0) return;
    const auto a = reinterpret_cast<std::uintptr_t>(bytes.data());
    const std::uintptr_t begin = (a + page - 1) / page * page;
    const std::uintptr_t end = (a + bytes.size()) / page * page;
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
#endif
}

Result<RowSource> RowSource::open(const io::Checkpoint& input, std::size_t tensor, RowOrder order)
{
    if (tensor >= input.tensors().size())
        return makeError(ErrorCode::OutOfRange, input.path().string(),
                         "tensor index " + std::to_string(tensor) + " of a checkpoint of " + std::to_string(input.tensors().size()) + " tensors");
    const io::TensorEntry& e = input.tensors()[tensor];
    const std::uint64_t heads = order == RowOrder::LlamaCpp ? llamaCppPermuteHeads(input, tensor) : 0;
    const std::string file = e.source < input.files().size() ? input.files()[e.source] : input.path().string();
    return fromBytes(e.name, e.dtype, e.shape, input.tensorData(tensor), heads, file);
}

Result<RowSource> RowSource::open(const io::Checkpoint& input, std::string_view name, RowOrder order)
{
    const std::int64_t i = input.findTensor(name);
    if (i < 0) {
        Error e = makeError(ErrorCode::MissingTensor, input.path().string(), "the checkpoint has no tensor of this name");
        e.tensor = std::string(name);
        return e;
    }
    return open(input, static_cast<std::size_t>(i), order);
}

Result<RowSource> RowSource::fromBytes(std::string name, DType type, const std::vector<std::uint64_t>& shape,
                                       std::span<const std::byte> data, std::uint64_t permuteHeads, std::string file)
{
    RowSource r;
    r.m_type = type;
    r.m_data = data;
    r.m_heads = permuteHeads;
    const DTypeTraits* tr = dtypeTraits(type);
    if (!tr) return tensorError(ErrorCode::UnsupportedType, file, name, "unknown tensor type");
    if (tr->isQuantized) {
        r.m_dequant = quantKernels(type);
        if (!r.m_dequant || !r.m_dequant->dequantizeRow)
            return tensorError(ErrorCode::UnsupportedType, file, name, "cannot dequantize " + std::string(tr->name) + " rows");
    } else if (!isPlainFloat(type)) {
        return tensorError(ErrorCode::UnsupportedType, file, name, "cannot read " + std::string(tr->name) + " rows as float");
    }
    std::uint64_t elements = 1;
    for (auto d : shape) elements *= d;
    r.m_cols = shape.empty() ? 1 : shape.back();
    r.m_rows = r.m_cols == 0 ? 0 : elements / r.m_cols;
    r.m_outer = shape.empty() ? 1 : shape.front();
    r.m_inner = shape.size() > 1 && r.m_outer > 0 ? r.m_rows / r.m_outer : 1;
    if (r.m_cols % tr->blockSize != 0)
        return tensorError(ErrorCode::Malformed, file, name,
                           "rows of " + std::to_string(r.m_cols) + " values are not whole " + std::string(tr->name) + " blocks");
    r.m_rowBytes = r.m_cols / tr->blockSize * tr->blockBytes;
    if (data.size() != r.m_rows * r.m_rowBytes)
        return tensorError(ErrorCode::Malformed, file, name, "tensor data size does not match its shape and type");
    if (permuteHeads > 0) {
        // A 1-D tensor (a q_proj / k_proj bias) is one row whose values move.
        r.m_permuteValues = shape.size() == 1;
        if (r.m_permuteValues && r.m_dequant)
            return tensorError(ErrorCode::UnsupportedFormat, file, name, "Q/K permutation of a 1-D block-type tensor");
        if (r.m_outer % (2 * permuteHeads) != 0)
            return tensorError(ErrorCode::Malformed, file, name,
                               std::to_string(r.m_outer) + " rows cannot be split into " + std::to_string(permuteHeads) + " rotary heads");
    }
    r.m_name = std::move(name);
    r.m_file = std::move(file);
    return r;
}

std::uint64_t RowSource::sourceRowPermuted(std::uint64_t row) const
{
    if (m_inner == 1) return arch::qkPermutedSourceRow(row, m_outer, m_heads);
    return arch::qkPermutedSourceRow(row / m_inner, m_outer, m_heads) * m_inner + row % m_inner;
}

Status RowSource::checkRange(std::uint64_t firstRow, std::uint64_t n) const
{
    if (firstRow > m_rows || n > m_rows - firstRow)
        return tensorError(ErrorCode::OutOfRange, m_file, m_name,
                           "rows " + std::to_string(firstRow) + " to " + std::to_string(firstRow + n) + " of a tensor of " +
                               std::to_string(m_rows) + " rows");
    return okStatus();
}

Status RowSource::read(std::uint64_t firstRow, std::uint64_t n, float* out) const
{
    CONDENSE_TRY(checkRange(firstRow, n));
    const std::size_t cols = static_cast<std::size_t>(m_cols);
    if (m_permuteValues) {
        const std::size_t valueBytes = dtypeTraits(m_type)->blockBytes;
        for (std::size_t i = 0; n > 0 && i < cols; ++i)
            convertToF32(m_type, m_data.data() + arch::qkPermutedSourceRow(i, m_cols, m_heads) * valueBytes, out + i, 1);
        return okStatus();
    }
    if (m_dequant) {
        for (std::uint64_t k = 0; k < n; ++k)
            m_dequant->dequantizeRow(m_data.data() + sourceRow(firstRow + k) * m_rowBytes, out + k * cols,
                                     static_cast<std::int64_t>(cols));
        return okStatus();
    }
    if (m_heads == 0) { // contiguous: one conversion
        convertToF32(m_type, m_data.data() + firstRow * m_rowBytes, out, static_cast<std::size_t>(n * m_cols));
        return okStatus();
    }
    for (std::uint64_t k = 0; k < n; ++k)
        convertToF32(m_type, m_data.data() + sourceRow(firstRow + k) * m_rowBytes, out + k * cols, cols);
    return okStatus();
}

Status RowSource::readAs(DType type, std::uint64_t firstRow, std::uint64_t n, void* out) const
{
    if (!isFloatOutput(type))
        return tensorError(ErrorCode::InvalidArgument, m_file, m_name, "rows can be read as F32, F16 or BF16, not " + std::string(dtypeName(type)));
    CONDENSE_TRY(checkRange(firstRow, n));
    const std::size_t cols = static_cast<std::size_t>(m_cols);
    const std::uint64_t outRowBytes = m_cols * dtypeTraits(type)->blockBytes;
    auto* o = static_cast<std::byte*>(out);
    if (m_permuteValues) {
        const std::size_t inBytes = dtypeTraits(m_type)->blockBytes;
        const std::size_t outBytes = dtypeTraits(type)->blockBytes;
        for (std::size_t i = 0; n > 0 && i < cols; ++i)
            if (!convertFloatRow(m_type, m_data.data() + arch::qkPermutedSourceRow(i, m_cols, m_heads) * inBytes, type, o + i * outBytes, 1))
                return tensorError(ErrorCode::UnsupportedType, m_file, m_name,
                                   "cannot convert " + std::string(dtypeName(m_type)) + " to " + std::string(dtypeName(type)));
        return okStatus();
    }
    if (type == m_type) { // the stored bytes
        if (m_heads == 0) {
            std::memcpy(o, m_data.data() + firstRow * m_rowBytes, static_cast<std::size_t>(n * m_rowBytes));
        } else {
            for (std::uint64_t k = 0; k < n; ++k)
                std::memcpy(o + k * outRowBytes, m_data.data() + sourceRow(firstRow + k) * m_rowBytes, static_cast<std::size_t>(m_rowBytes));
        }
        return okStatus();
    }
    if (m_dequant) {
        thread_local std::vector<float> row;
        if (row.size() < cols) row.resize(cols);
        for (std::uint64_t k = 0; k < n; ++k) {
            m_dequant->dequantizeRow(m_data.data() + sourceRow(firstRow + k) * m_rowBytes, row.data(), static_cast<std::int64_t>(cols));
            convertFromF32(type, row.data(), o + k * outRowBytes, cols);
        }
        return okStatus();
    }
    for (std::uint64_t k = 0; k < n; ++k)
        if (!convertFloatRow(m_type, m_data.data() + sourceRow(firstRow + k) * m_rowBytes, type, o + k * outRowBytes, cols))
            return tensorError(ErrorCode::UnsupportedType, m_file, m_name,
                               "cannot convert " + std::string(dtypeName(m_type)) + " to " + std::string(dtypeName(type)));
    return okStatus();
}

void RowSource::releaseConsumed(std::uint64_t firstRow, std::uint64_t n) const noexcept
{
    if (firstRow > m_rows || n > m_rows - firstRow || n == 0) return;
    std::uint64_t begin = firstRow;
    std::uint64_t end = firstRow + n;
    if (m_permuteValues) {
        if (end < m_rows) return;
    } else if (m_heads > 0) {
        // The permutation moves rows only inside one rotary head: a head's stored rows are all
        // read once its last row of this order is.
        const std::uint64_t headRows = m_outer / m_heads * m_inner;
        begin = firstRow / headRows * headRows;
        end = end / headRows * headRows;
        if (end <= begin) return;
    }
    releaseInputPages(m_data.subspan(static_cast<std::size_t>(begin * m_rowBytes), static_cast<std::size_t>((end - begin) * m_rowBytes)));
}

} // namespace condense::quant
