#pragma once
// The one place the analysis reads weights: float rows of any checkpoint tensor. Float and
// integer types go through convertToF32 (core/tensor/float_convert.h), block types through
// their dequantizer (core/quant). When core/quant/row_source.h lands this becomes a thin
// wrapper over it; nothing else in core/analysis touches tensor bytes.

#include <cstdint>

#include "core/common/result.h"
#include "core/io/checkpoint.h"

namespace condense::analysis {

class RowReader {
public:
    // Validates the tensor (type readable, byte size matching its shape). Errors name the tensor.
    static Result<RowReader> open(const io::Checkpoint& ck, std::size_t tensorIndex);

    std::uint64_t rows() const { return m_rows; }
    std::uint64_t cols() const { return m_cols; }
    // Rows [row, row + count) as floats into out (count * cols() values). Never fails once
    // open() succeeded (the byte range was checked there).
    void read(std::uint64_t row, std::uint64_t count, float* out) const;
    // Drops the tensor's pages from this process's resident set (they stay in the page cache):
    // memory stays at a few tensors however large the model.
    void release() const;

private:
    const std::byte* m_data = nullptr;
    DType m_type = DType::F32;
    std::uint64_t m_rows = 0;
    std::uint64_t m_cols = 0;
    std::uint64_t m_rowBytes = 0;
    std::uint64_t m_totalBytes = 0;
    const void* m_kernels = nullptr; // quant::QuantKernels of a block type
};

} // namespace condense::analysis
