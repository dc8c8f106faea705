#pragma once
// DequantizedLinear: one integer-quantized linear of a Hugging Face checkpoint (GPTQ,
// compressed-tensors pack-quantized, AWQ GEMM) seen as its F32 weight [out, in]. The packed
// tensors were checked when the checkpoint was opened (io::unpackPackedLinear, UnpackMode::Check:
// shapes, dtypes, byte counts, g_idx range, zero points, finite scales); the weight itself is
// decoded on first access only, once, under std::call_once (thread-safe), and then kept for the
// checkpoint's lifetime (a Model built from it points into it).
//
// Bounded memory: the decoded weight is written to an unlinked temporary file (in the temporary
// folder, TMPDIR) and mapped read-only, so its pages are file-backed like a safetensors shard's:
// the kernel may evict them, and streaming consumers that drop pages they are done with
// (quant::releaseInputPages, madvise DONTNEED) get them back from the file on a later read. A
// model-sized conversion therefore holds one linear's floats in memory at a time, at the cost of
// 4 bytes per weight of temporary disk. Where no temporary file can be written (full disk, no
// temporary folder) the weight stays in memory instead.

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
    ~DequantizedLinear();
    DequantizedLinear(const DequantizedLinear&) = delete;
    DequantizedLinear& operator=(const DequantizedLinear&) = delete;

    std::int64_t rows() const { return m_rows; }
    std::int64_t cols() const { return m_cols; }
    std::uint64_t bytes() const { return static_cast<std::uint64_t>(m_rows) * static_cast<std::uint64_t>(m_cols) * 4; }
    // The F32 weight, decoded on first call; empty only if memory ran out.
    std::span<const std::byte> data() const;
    bool decoded() const;
    // Whether the decoded weight lives in a mapped temporary file (false: in memory).
    bool fileBacked() const { return m_mapped != nullptr; }

private:
    DequantizedLinear() = default;
    void decode() const;
    std::string m_file;
    std::string m_prefix;
    PackConfig m_config;
    std::vector<PackedView> m_views;
    std::int64_t m_rows = 0;
    std::int64_t m_cols = 0;
    mutable std::once_flag m_once;
    mutable std::vector<float> m_weight;       // in-memory fallback
    mutable const std::byte* m_mapped = nullptr; // the mapped temporary file
    mutable std::atomic<bool> m_decoded{false};
};

} // namespace condense::io
