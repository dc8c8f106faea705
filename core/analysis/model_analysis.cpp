#include "core/analysis/model_analysis.h"

#include <map>

#include "core/analysis/analysis_cache.h"
#include "core/jobs/thread_arena.h"

namespace condense::analysis {

std::string previewCacheKey(DType type, const std::string& importanceKey)
{
    return std::string(dtypeName(type)) + "|" + importanceKey;
}

Result<ModelAnalysis> analyzeModel(const io::Checkpoint& ck, const ModelAnalysisConfig& config, jobs::ProgressSink& progress,
                                   std::stop_token stop, const TensorCallback& onTensor)
{
    ModelAnalysis out;
    out.path = ck.path();
    std::map<std::string, CachedTensor> cache = AnalysisCache::load(config.cacheDir, ck);
    bool cacheChanged = false;

    std::uint64_t total = 0, done = 0;
    for (std::size_t i : config.tensors) total += ck.tensors().at(i).bytes;
    progress.report(jobs::Stage::Analyzing, 0, total);

    jobs::ThreadArena arena(jobs::ThreadingConfig{config.threads});
    std::optional<Error> cancelled;
    arena.execute([&] {
        for (std::size_t i : config.tensors) {
            if (stop.stop_requested()) {
                cancelled = makeError(ErrorCode::Cancelled, ck.path().string(), {});
                return;
            }
            const io::TensorEntry& t = ck.tensors()[i];
            const std::optional<DType> type = i < config.previewTypes.size() ? config.previewTypes[i] : std::nullopt;
            const float* imp = i < config.importance.size() ? config.importance[i] : nullptr;
            const std::string pkey = type ? previewCacheKey(*type, imp ? config.importanceKey : std::string()) : std::string();
            std::shared_ptr<TensorAnalysis> result;
            auto hit = cache.find(t.name);
            const bool statsCached = hit != cache.end() && hit->second.analysis.dtype == t.dtype && hit->second.analysis.shape == t.shape;
            if (statsCached && (!type || hit->second.previews.count(pkey))) {
                result = std::make_shared<TensorAnalysis>(hit->second.analysis);
                if (type) result->preview = hit->second.previews.at(pkey);
                ++out.fromCache;
            } else if (statsCached) { // statistics cached, not this preview: the preview alone
                TensorAnalysisConfig tc;
                tc.previewType = type;
                tc.importance = imp;
                tc.statistics = false;
                auto a = analyzeTensor(ck, i, tc, stop);
                if (!a) {
                    cancelled = std::move(a).error();
                    return;
                }
                ++out.analyzed;
                if (a->error) {
                    result = std::make_shared<TensorAnalysis>(std::move(*a));
                } else {
                    result = std::make_shared<TensorAnalysis>(hit->second.analysis);
                    result->preview = a->preview;
                    hit->second.previews[pkey] = a->preview;
                    cacheChanged = true;
                }
            } else {
                TensorAnalysisConfig tc;
                tc.previewType = type;
                tc.importance = imp;
                auto a = analyzeTensor(ck, i, tc, stop);
                if (!a) {
                    cancelled = std::move(a).error();
                    return;
                }
                result = std::make_shared<TensorAnalysis>(std::move(*a));
                ++out.analyzed;
                if (!result->error) {
                    CachedTensor& c = cache[t.name];
                    if (c.analysis.dtype != t.dtype || c.analysis.shape != t.shape) c.previews.clear();
                    c.analysis = *result;
                    c.analysis.preview.reset();
                    c.analysis.fromCache = true;
                    if (type) c.previews[pkey] = result->preview;
                    cacheChanged = true;
                }
            }
            if (result->error) ++out.failed;
            if (result->stats.hasNonFinite()) ++out.nonFinite;
            done += t.bytes;
            progress.report(jobs::Stage::Analyzing, done, total, t.name);
            std::shared_ptr<const TensorAnalysis> snapshot = std::move(result);
            out.tensors.push_back(snapshot);
            if (onTensor) onTensor(snapshot);
        }
    });
    if (cancelled) return std::move(*cancelled);

    std::map<int, PreviewSums> layers;
    for (const auto& t : out.tensors) {
        if (!t->preview) continue;
        layers[t->layer].add(t->preview->sums);
        if (!out.total) out.total = PreviewSums{};
        out.total->add(t->preview->sums);
    }
    for (const auto& [layer, sums] : layers) out.layers.push_back(LayerPreview{layer, sums});
    // A cache that cannot be written costs the next open a pass, nothing more.
    if (cacheChanged && !config.cacheDir.empty()) (void)AnalysisCache::save(config.cacheDir, ck, cache);
    return out;
}

} // namespace condense::analysis
