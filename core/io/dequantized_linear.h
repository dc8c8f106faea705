#pragma once
// DequantizedLinear: one integer-quantized linear of a Hugging Face checkpoint (GPTQ,
// compressed-tensors pack-quantized, AWQ GEMM) seen as its F32 weight [out, in]. The packed
// tensors were checked when the checkpoint was opened (io::unpackPackedLinear, UnpackMode::Check:
// shapes, dtypes, byte counts, g_idx range, zero points, finite scales); the weight itself is
// decoded on first access only, once, under std::call_once (thread-safe), and then kept for the
// checkpoint's lifetime (a Model built from it points into it). Memory: 4 bytes per weight of
// the linears actually read, never the packed tensors' copies.

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/packed_linear_layout.h"

namespace condense::io {

class DequantizedLinear {
public:
    // `views` point into the checkpoint's mapped shards (which outlive this object).
    // Runs the open-time checks; errors name `file` and `prefix + "." + suffix`.
    static Result<std::shared_ptr<DequantizedLinear>> create(std::string file, std::string prefix, const PackConfig& config,
                                                              std::vector<PackedView> views);

    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }
    std::uint64_t bytes() const { return static_cast<std::uint64_t>(m_rows) * static_cast<std::uint64_t>(m_cols) * 4; }
    // The F32 weight, decoded on first call; empty only if memory ran out.
    std::span<const std::byte> data() const;
    bool decoded() const;

private:
    DequantizedLinear() = default;
    std::string m_file;
    std::string m_prefix;
    PackConfig m_config;
    std::vector<PackedView> m_views;
    std::int64_t m_rows = 0;
    std::int64_t m_cols = 0;
    mutable std::once_flag m_once;
    mutable std::vector<float> m_weight;
    mutable std::atomic<bool> m_decoded{false};
};

} // namespace condense::io
