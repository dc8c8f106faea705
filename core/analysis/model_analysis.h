#pragma once
// analyzeModel: TensorAnalysis for the chosen tensors of a checkpoint, a few tensors in flight
// at once (each in parallel over its rows, inside a ThreadArena of `threads`), streamed to a
// callback in config order, with per-layer and whole-model preview errors, and cached per
// file (analysis_cache.h) so a reopen costs no pass.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/analysis/tensor_analysis.h"
#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/jobs/progress.h"

namespace condense::analysis {

struct ModelAnalysisConfig {
    std::vector<std::size_t> tensors;                 // checkpoint indices, in the order to analyse
    std::vector<std::optional<DType>> previewTypes;   // per checkpoint index (empty: no preview)
    std::vector<const float*> importance;             // per checkpoint index (empty: none)
    std::string importanceKey;                        // identifies the importance matrix in cache keys ("" none)
    std::filesystem::path cacheDir;                   // empty: no cache
    int threads = 0;                                  // 0: all cores
};

struct LayerPreview {
    int layer = -1; // -1: tensors outside the blocks
    PreviewSums sums;
};

// The result of a whole run: immutable once returned (the tensors are shared snapshots).
struct ModelAnalysis {
    std::filesystem::path path;
    std::vector<std::shared_ptr<const TensorAnalysis>> tensors; // config order
    std::vector<LayerPreview> layers; // ascending layer, only layers with a preview
    std::optional<PreviewSums> total; // all previewed tensors
    std::size_t analyzed = 0;         // tensors that ran the pass (the preview alone when the statistics were cached)
    std::size_t fromCache = 0;        // tensors read from the cache
    std::size_t failed = 0;           // tensors with an error
    std::size_t nonFinite = 0;        // tensors with NaN/Inf values
};

// Called in config order as each tensor finishes (from one of the arena's threads, never two
// calls at once), with the snapshot that also ends up in ModelAnalysis::tensors.
using TensorCallback = std::function<void(const std::shared_ptr<const TensorAnalysis>&)>;

// Progress: Stage::Analyzing with tensor bytes done/total and the tensor name. Cancellation is
// checked between tensors and between row blocks (ErrorCode::Cancelled; nothing is cached).
Result<ModelAnalysis> analyzeModel(const io::Checkpoint& ck, const ModelAnalysisConfig& config, jobs::ProgressSink& progress,
                                   std::stop_token stop = {}, const TensorCallback& onTensor = {});

// The cache key of a preview ("Q4_K|<importanceKey>").
std::string previewCacheKey(DType type, const std::string& importanceKey);

} // namespace condense::analysis
