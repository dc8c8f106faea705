#include "core/analysis/model_analysis.h"

#include <algorithm>
#include <map>
#include <optional>

#include <oneapi/tbb/parallel_pipeline.h>

#include "core/analysis/analysis_cache.h"
#include "core/jobs/thread_arena.h"

namespace condense::analysis {

std::string previewCacheKey(DType type, const std::string& importanceKey)
{
    return std::string(dtypeName(type)) + "|" + importanceKey;
}

namespace {

// One tensor of a run, carried through the pipeline of analyzeModel.
struct Item {
    std::size_t index = 0;
    CachedTensor* hit = nullptr; // the cache entry found before the run (std::map nodes are stable)
    std::shared_ptr<TensorAnalysis> result;
    std::optional<Error> error; // cancelled
    bool cached = false;        // everything came from the cache
    bool previewOnly = false;   // the statistics came from the cache, the preview was computed
};

std::optional<DType> previewTypeOf(const ModelAnalysisConfig& config, std::size_t i)
{
    return i < config.previewTypes.size() ? config.previewTypes[i] : std::nullopt;
}

const float* importanceOf(const ModelAnalysisConfig& config, std::size_t i)
{
    return i < config.importance.size() ? config.importance[i] : nullptr;
}

std::string previewKeyOf(const ModelAnalysisConfig& config, std::size_t i)
{
    const std::optional<DType> type = previewTypeOf(config, i);
    return type ? previewCacheKey(*type, importanceOf(config, i) ? config.importanceKey : std::string()) : std::string();
}

// The parallel stage: the tensor from the cache, its preview alone, or the whole pass. Reads
// only the tensor's own cache entry (written by the serial stage after this one).
void analyzeOne(const io::Checkpoint& ck, const ModelAnalysisConfig& config, Item& item, std::stop_token stop)
{
    const io::TensorEntry& t = ck.tensors()[item.index];
    const std::optional<DType> type = previewTypeOf(config, item.index);
    const std::string pkey = previewKeyOf(config, item.index);
    const CachedTensor* hit = item.hit;
    const bool statsCached = hit && hit->analysis.dtype == t.dtype && hit->analysis.shape == t.shape;
    if (statsCached && (!type || hit->previews.count(pkey))) {
        item.result = std::make_shared<TensorAnalysis>(hit->analysis);
        if (type) item.result->preview = hit->previews.at(pkey);
        item.cached = true;
        return;
    }
    TensorAnalysisConfig tc;
    tc.previewType = type;
    tc.importance = importanceOf(config, item.index);
    tc.statistics = !statsCached; // statistics cached, not this preview: the preview alone
    auto a = analyzeTensor(ck, item.index, tc, stop);
    if (!a) {
        item.error = std::move(a).error();
        return;
    }
    if (statsCached && !a->error) {
        item.result = std::make_shared<TensorAnalysis>(hit->analysis);
        item.result->preview = a->preview;
        item.previewOnly = true;
    } else {
        item.result = std::make_shared<TensorAnalysis>(std::move(*a));
    }
}

// The serial stage (config order): counts and the cache.
void finishOne(const io::Checkpoint& ck, const ModelAnalysisConfig& config, Item& item, std::map<std::string, CachedTensor>& cache,
               bool& cacheChanged, ModelAnalysis& out)
{
    const io::TensorEntry& t = ck.tensors()[item.index];
    const TensorAnalysis& r = *item.result;
    if (item.cached) {
        ++out.fromCache;
    } else {
        ++out.analyzed;
        const std::optional<DType> type = previewTypeOf(config, item.index);
        if (item.previewOnly) {
            item.hit->previews[previewKeyOf(config, item.index)] = r.preview;
            cacheChanged = true;
        } else if (!r.error) {
            CachedTensor& c = cache[t.name];
            if (c.analysis.dtype != t.dtype || c.analysis.shape != t.shape) c.previews.clear();
            c.analysis = r;
            c.analysis.preview.reset();
            c.analysis.fromCache = true;
            if (type) c.previews[previewKeyOf(config, item.index)] = r.preview;
            cacheChanged = true;
        }
    }
    if (r.error) ++out.failed;
    if (r.stats.hasNonFinite()) ++out.nonFinite;
}

} // namespace

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

    // Tensors run through a pipeline: a few in flight at once, each in parallel over its rows,
    // so one tensor's serial steps (sampling, merging, deriving from the counts) overlap the
    // next tensor's pass; results are taken in config order.
    std::vector<CachedTensor*> hits(ck.tensors().size(), nullptr);
    for (std::size_t i : config.tensors) {
        auto it = cache.find(ck.tensors().at(i).name);
        if (it != cache.end()) hits[i] = &it->second;
    }
    jobs::ThreadArena arena(jobs::ThreadingConfig{config.threads});
    std::optional<Error> cancelled;
    std::size_t next = 0;
    const auto inFlight = static_cast<std::size_t>(std::max(2, arena.concurrency() + 1));
    arena.execute([&] {
        tbb::parallel_pipeline(
            inFlight,
            tbb::make_filter<void, std::shared_ptr<Item>>(tbb::filter_mode::serial_in_order,
                                                          [&](tbb::flow_control& fc) -> std::shared_ptr<Item> {
                                                              if (next >= config.tensors.size() || stop.stop_requested()) {
                                                                  fc.stop();
                                                                  return {};
                                                              }
                                                              auto item = std::make_shared<Item>();
                                                              item->index = config.tensors[next++];
                                                              item->hit = hits[item->index];
                                                              return item;
                                                          }) &
                tbb::make_filter<std::shared_ptr<Item>, std::shared_ptr<Item>>(
                    tbb::filter_mode::parallel,
                    [&](std::shared_ptr<Item> item) {
                        analyzeOne(ck, config, *item, stop);
                        return item;
                    }) &
                tbb::make_filter<std::shared_ptr<Item>, void>(tbb::filter_mode::serial_in_order, [&](std::shared_ptr<Item> item) {
                    if (cancelled) return;
                    if (stop.stop_requested()) { // nothing more is delivered once a stop is asked for
                        cancelled = makeError(ErrorCode::Cancelled, ck.path().string(), {});
                        return;
                    }
                    if (item->error) {
                        cancelled = std::move(item->error);
                        return;
                    }
                    finishOne(ck, config, *item, cache, cacheChanged, out);
                    done += ck.tensors()[item->index].bytes;
                    progress.report(jobs::Stage::Analyzing, done, total, ck.tensors()[item->index].name);
                    std::shared_ptr<const TensorAnalysis> snapshot = std::move(item->result);
                    out.tensors.push_back(snapshot);
                    if (onTensor) onTensor(snapshot);
                }));
    });
    if (!cancelled && stop.stop_requested()) cancelled = makeError(ErrorCode::Cancelled, ck.path().string(), {});
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
