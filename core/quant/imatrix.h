#pragma once
// Importance matrices made by llama-imatrix, read the way llama-quantize reads them
// (tools/quantize/quantize.cpp load_imatrix, common/imatrix-loader.cpp at llama.cpp 34af94cd;
// ../shared/reference/formats.md 4.5-4.7).
//
// GGUF format (default since mid-2025): a GGUF v3 file with keys imatrix.datasets (string
// array), imatrix.chunk_count (u32), imatrix.chunk_size (u32) -- all three required -- and per
// weight <name>.in_sum2 (F32, ne = [ne0, n_mat], raw sums of squared activations) paired with
// <name>.counts (F32, ne = [1, n_mat], activation rows per matrix/expert). Other tensors
// (e.g. <name>.in_sum) are ignored. Importance of column i of matrix j:
//     in_sum2[j*ne0 + i] / float(lround(counts[j]))      (1 when that count is 0)
//
// Legacy .dat format (little-endian):
//     i32 n_entries (>= 1)
//     n_entries x { i32 len; u8 name[len]; i32 ncall; i32 nval (>= 1); f32 values[nval] }
//     optional trailer: i32 chunk_count; i32 len; u8 dataset[len]
// Importance = values[i] / float(ncall) (values as stored when ncall <= 0).
//
// A file that starts with the GGUF magic is read as GGUF (and must be a valid one); anything
// else as legacy. Every length is checked against the file before use; a non-finite
// importance is an error naming the tensor (llama-quantize refuses those too).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/result.h"

namespace condense::quant {

class ImportanceMatrix {
public:
    static Result<ImportanceMatrix> load(const std::filesystem::path& path);

    // Per-column importance of a weight (ne0 * n_mat values), or nullptr when the file has none.
    const std::vector<float>* find(std::string_view tensorName) const;
    std::size_t size() const { return m_entries.size(); }
    const std::map<std::string, std::vector<float>, std::less<>>& entries() const { return m_entries; }

    const std::filesystem::path& path() const { return m_path; }
    const std::vector<std::string>& datasets() const { return m_datasets; }
    std::int32_t chunkCount() const { return m_chunkCount; }
    std::int32_t chunkSize() const { return m_chunkSize; }
    bool legacy() const { return m_legacy; }

private:
    std::filesystem::path m_path;
    std::map<std::string, std::vector<float>, std::less<>> m_entries;
    std::vector<std::string> m_datasets;
    std::int32_t m_chunkCount = 0;
    std::int32_t m_chunkSize = 0;
    bool m_legacy = false;
};

} // namespace condense::quant
