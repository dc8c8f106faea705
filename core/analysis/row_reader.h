#pragma once
// The one place the analysis reads weights: float rows of any checkpoint tensor, in the order
// they are stored, through quant::RowSource (core/quant/row_source.h: float conversion and
// block dequantization), or as stored (storedRow); nothing else in core/analysis touches tensor
// bytes.

#include <cstdint>
#include <optional>

#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/quant/row_source.h"

namespace condense::analysis {

class RowReader {
public:
    // Validates the tensor (type readable, byte size matching its shape). Errors name the tensor.
    static Result<RowReader> open(const io::Checkpoint& ck, std::size_t tensorIndex);

    std::uint64_t rows() const { return m_source->rows(); }
    std::uint64_t cols() const { return m_source->cols(); }
    // Rows [row, row + count) as floats into out (count * cols() values). Never fails once
    // open() succeeded (the byte range was checked there).
    void read(std::uint64_t row, std::uint64_t count, float* out) const;
    // The stored type and the bytes of stored row `row` (rows are read in stored order): the
    // 16-bit float path of the analysis works on the codes themselves.
    DType storedType() const { return m_source->inputType(); }
    const std::byte* storedRow(std::uint64_t row) const { return m_source->storedBytes().data() + row * m_source->rowBytes(); }
    // Drops the tensor's pages from this process's resident set (they stay in the page cache):
    // memory stays at a few tensors however large the model.
    void release() const;

private:
    std::optional<quant::RowSource> m_source;
};

} // namespace condense::analysis
