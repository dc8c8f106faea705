#pragma once
// OwnedWeight: a weight matrix that owns its bytes, for a Session to use instead of the
// checkpoint's mapped view (Session::overrideWeight): a quantize-dequantized candidate, a
// GPTQ-updated matrix, AWQ-scaled weights. Held by shared_ptr so a session (or several) keeps
// it alive while it is in use. Rows follow weight_view.h's layout; the buffer is 64-byte aligned.
//
//   auto w = toFloats(model.layers()[3].q);                     // [rows x cols] floats
//   ... quantize and dequantize w ...
//   auto cand = OwnedWeight::fromFloats(DType::F32, rows, cols, *w);
//   session.overrideWeight(3, WeightRole::AttnQ, *cand);

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/model/aligned_buffer.h"
#include "core/model/weight_view.h"

namespace condense::model {

class OwnedWeight {
public:
    // Stores rows x cols floats as `type`: F32/F16/BF16 by conversion, a block type through
    // core/quant's quantizer (no importance; types that require one are refused).
    // InvalidArgument on a size mismatch, UnsupportedType when the forward pass has no kernels
    // for `type` (Matmul::supports) or it cannot be written from floats.
    static Result<std::shared_ptr<const OwnedWeight>> fromFloats(DType type, std::int64_t rows, std::int64_t cols,
                                                                 std::span<const float> values);
    // Takes rows already encoded as `type` (rows * the type's row bytes for cols elements).
    static Result<std::shared_ptr<const OwnedWeight>> fromBytes(DType type, std::int64_t rows, std::int64_t cols,
                                                                std::span<const std::byte> bytes);

    const WeightView& view() const { return m_view; }

private:
    OwnedWeight() = default;
    AlignedBuffer m_bytes;
    WeightView m_view;
};

// The matrix as rows x cols floats (row-major), whatever its stored type; UnsupportedType when
// the type can be neither converted nor dequantized.
Result<std::vector<float>> toFloats(const WeightView& w);

} // namespace condense::model
