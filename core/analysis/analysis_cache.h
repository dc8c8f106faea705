#pragma once
// AnalysisCache: per-file cache of tensor analyses under a folder the caller passes (the GUI's
// user cache folder, the CLI's ~/.cache/condense); core knows no Qt and no settings.
//
// One file per model: <dir>/analysis-<16 hex digits: FNV-1a of the model path>.bin, binary,
// little-endian:
//   "CNDSANA1" | u32 version | str key | u32 nTensors | nTensors x tensor | u64 FNV-1a of all
//   bytes before it.
//   key = for every file of the checkpoint: "path|size|mtime ns|FNV-1a of its first 1 MiB;"
//   tensor = the TensorAnalysis fields (stats, histogram, map, top, columns) and its previews
//   keyed by a string ("Q4_K|<imatrix key>"). Outlier maps and column maxima, most of the
//   bytes, are packed F16 codes where that is exact (F16/BF16 models: a cell as its max |w|,
//   the cell recomputed as max |w| / std on load), else floats: a cache gives back exactly
//   what the pass computed.
// A file that does not parse, fails the checksum, has another version or another key is
// ignored (and replaced by the next save): a stale or corrupt cache only costs a re-analysis.

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/analysis/tensor_analysis.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"

namespace condense::analysis {

struct CachedTensor {
    TensorAnalysis analysis; // preview unset
    std::map<std::string, std::optional<QuantPreview>> previews; // nullopt: that preview is impossible (NaN, block misfit)
};

class AnalysisCache {
public:
    // The identity of the checkpoint's files as they are now (empty when a file cannot be stat'ed).
    static std::string fileKey(const io::Checkpoint& ck);
    static std::filesystem::path cachePath(const std::filesystem::path& dir, const io::Checkpoint& ck);

    // Entries for `ck` when a valid cache file for it exists; empty otherwise (never an error).
    static std::map<std::string, CachedTensor> load(const std::filesystem::path& dir, const io::Checkpoint& ck);
    // Writes all entries (atomically); creates `dir`.
    static Status save(const std::filesystem::path& dir, const io::Checkpoint& ck,
                       const std::map<std::string, CachedTensor>& entries);
};

} // namespace condense::analysis
