#include "core/report/inspect_report.h"

#include <nlohmann/json.hpp>

namespace condense::report {

std::string inspectJson(const io::Checkpoint& ck, int indent)
{
    using nlohmann::json;
    json j;
    const auto& s = ck.spec();
    j["path"] = ck.path().string();
    j["format"] = io::checkpointFormatName(ck.format());
    j["files"] = ck.files();
    j["name"] = ck.displayName();
    j["architecture"] = s.hfArchitecture.empty() ? s.modelType : s.hfArchitecture;
    j["model_type"] = s.modelType;
    j["family"] = arch::familyName(s.family);
    j["known"] = s.known();
    const std::uint64_t params = ck.parameterCount();
    const std::uint64_t bytes = ck.totalTensorBytes();
    j["parameters"] = params;
    j["bytes"] = bytes;
    j["bits_per_weight"] = params ? 8.0 * static_cast<double>(bytes) / static_cast<double>(params) : 0.0;
    j["spec"] = {
        {"hidden_size", s.hiddenSize}, {"intermediate_size", s.intermediateSize}, {"layers", s.numLayers},
        {"heads", s.numHeads}, {"kv_heads", s.numKvHeads}, {"head_dim", s.headDim},
        {"vocab_size", s.vocabSize}, {"context_length", s.maxPositions}, {"rope_theta", s.ropeTheta},
        {"rms_norm_eps", s.rmsNormEps}, {"tied_embeddings", s.tieWordEmbeddings},
    };
    json dtypes = json::array();
    const auto bytesPer = ck.bytesPerDtype();
    const auto elemsPer = ck.elementsPerDtype();
    for (const auto& [t, b] : bytesPer) {
        std::size_t n = 0;
        for (const auto& te : ck.tensors()) n += te.dtype == t;
        const std::uint64_t e = elemsPer.at(t);
        dtypes.push_back({{"type", std::string(dtypeName(t))}, {"tensors", n}, {"elements", e}, {"bytes", b},
                          {"bits_per_weight", e ? 8.0 * static_cast<double>(b) / static_cast<double>(e) : 0.0}});
    }
    j["dtypes"] = std::move(dtypes);
    json md = json::array();
    for (const auto& m : ck.metadata()) md.push_back({{"key", m.key}, {"value", m.value}});
    j["metadata"] = std::move(md);
    json ts = json::array();
    for (const auto& t : ck.tensors())
        ts.push_back({{"name", t.name}, {"type", std::string(dtypeName(t.dtype))}, {"shape", t.shape},
                      {"elements", t.elements()}, {"bytes", t.bytes}});
    j["tensors"] = std::move(ts);
    return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

} // namespace condense::report
