#pragma once
// WeightView: one 2-D weight matrix as the forward pass sees it, a view into the checkpoint's
// memory-mapped bytes (never a copy). Row r (output feature r) holds `cols` elements of `type`
// starting at data + r * rowBytes: PyTorch's [out, in] row-major layout, which is also ggml's
// (ne[0] = cols innermost, ne[1] = rows). Block types store each row as cols / blockSize blocks.

#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"

namespace condense::model {

struct WeightView {
    DType type = DType::F32;
    const std::byte* data = nullptr;
    std::int64_t rows = 0;
    std::int64_t cols = 0;
    std::size_t rowBytes = 0;

    const std::byte* row(std::int64_t r) const { return data + static_cast<std::size_t>(r) * rowBytes; }
    bool empty() const { return data == nullptr; }
};

} // namespace condense::model
