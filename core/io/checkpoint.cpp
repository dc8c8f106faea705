#include "core/io/checkpoint.h"

#include <algorithm>
#include <optional>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/io/error_text.h"
#include "core/io/hf_config.h"
#include "core/io/hf_quantization.h"
#include "core/io/packed_linear_reader.h"
#include "core/io/json_file.h"

namespace condense::io {

namespace fs = std::filesystem;

const char* checkpointFormatName(CheckpointFormat f) noexcept
{
    switch (f) {
    case CheckpointFormat::HfFolder: return "Hugging Face folder";
    case CheckpointFormat::Safetensors: return "safetensors";
    case CheckpointFormat::Gguf: return "GGUF";
    }
    return "?";
}

std::uint64_t TensorEntry::elements() const
{
    std::uint64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

std::array<std::uint64_t, 4> TensorEntry::ne() const
{
    std::array<std::uint64_t, 4> r{1, 1, 1, 1};
    for (std::size_t i = 0; i < shape.size() && i < 4; ++i) r[i] = shape[shape.size() - 1 - i];
    return r;
}

std::string Checkpoint::displayName() const
{
    if (!m_spec.name.empty()) return m_spec.name;
    fs::path p = m_path;
    if (p.filename().empty()) p = p.parent_path();
    return p.filename().string();
}

std::int64_t Checkpoint::findTensor(std::string_view name) const
{
    for (std::size_t i = 0; i < m_tensors.size(); ++i)
        if (m_tensors[i].name == name) return static_cast<std::int64_t>(i);
    return -1;
}

std::uint64_t Checkpoint::parameterCount() const
{
    std::uint64_t n = 0;
    for (const auto& t : m_tensors) n += t.elements();
    return n;
}

std::uint64_t Checkpoint::totalTensorBytes() const
{
    std::uint64_t n = 0;
    for (const auto& t : m_tensors) n += t.bytes;
    return n;
}

std::map<DType, std::uint64_t> Checkpoint::bytesPerDtype() const
{
    std::map<DType, std::uint64_t> m;
    for (const auto& t : m_tensors) m[t.dtype] += t.bytes;
    return m;
}

std::map<DType, std::uint64_t> Checkpoint::elementsPerDtype() const
{
    std::map<DType, std::uint64_t> m;
    for (const auto& t : m_tensors) m[t.dtype] += t.elements();
    return m;
}

std::span<const std::byte> Checkpoint::tensorData(std::size_t index) const
{
    const TensorEntry& t = m_tensors.at(index);
    if (t.dequantized >= 0) return m_dequantized.at(static_cast<std::size_t>(t.dequantized))->data();
    if (m_gguf) return m_gguf->tensorData(t.indexInSource);
    return m_shards.at(t.source)->tensorData(t.indexInSource);
}

arch::ModelSpec specFromGguf(const GgufFile& g)
{
    arch::ModelSpec s;
    const std::string arch = g.getString("general.architecture").value_or("");
    s.modelType = arch;
    s.name = g.getString("general.name").value_or("");
    if (arch == "llama") s.family = arch::Family::Llama;
    else if (arch == "qwen2") s.family = arch::Family::Qwen2;
    else if (arch == "qwen3") s.family = arch::Family::Qwen3;
    auto u = [&](const std::string& k) { return g.getUInt(arch + "." + k).value_or(0); };
    // A scalar, or the first element of a per-layer array (as llama.cpp reads head counts).
    auto first = [&](const std::string& k) -> std::optional<std::uint64_t> {
        const GgufValue* v = g.find(arch + "." + k);
        if (!v) return std::nullopt;
        if (v->isArray()) {
            if (v->size() == 0) return std::nullopt;
            const auto x = v->intAt(0);
            if (!x || *x < 0) return std::nullopt;
            return static_cast<std::uint64_t>(*x);
        }
        return v->asUInt();
    };
    s.numLayers = first("block_count").value_or(0);
    s.maxPositions = u("context_length");
    s.hiddenSize = u("embedding_length");
    s.intermediateSize = u("feed_forward_length");
    s.numHeads = first("attention.head_count").value_or(0);
    s.numKvHeads = first("attention.head_count_kv").value_or(s.numHeads);
    s.numExperts = first("expert_count").value_or(0);
    s.headDim = g.getUInt(arch + ".attention.key_length").value_or(s.numHeads ? s.hiddenSize / s.numHeads : 0);
    s.rmsNormEps = g.getFloat(arch + ".attention.layer_norm_rms_epsilon").value_or(1e-6);
    s.ropeTheta = g.getFloat(arch + ".rope.freq_base").value_or(10000.0);
    if (auto t = g.getString(arch + ".rope.scaling.type")) s.ropeScaling.type = *t == "none" ? "default" : *t;
    s.ropeScaling.factor = g.getFloat(arch + ".rope.scaling.factor").value_or(1.0);
    s.ropeScaling.originalMaxPositions = g.getUInt(arch + ".rope.scaling.original_context_length").value_or(0);
    s.vocabSize = u("vocab_size");
    if (s.vocabSize == 0)
        if (const GgufValue* tok = g.find("tokenizer.ggml.tokens")) s.vocabSize = tok->size();
    s.tieWordEmbeddings = g.findTensor("output.weight") < 0 && g.findTensor("token_embd.weight") >= 0;
    s.attentionBias = g.findTensor("blk.0.attn_q.bias") >= 0;
    s.qkNorm = g.findTensor("blk.0.attn_q_norm.weight") >= 0;
    if (auto b = g.getUInt("tokenizer.ggml.bos_token_id")) s.bosTokenId = static_cast<std::int64_t>(*b);
    if (auto e = g.getUInt("tokenizer.ggml.eos_token_id")) s.eosTokenIds.push_back(static_cast<std::int64_t>(*e));
    return s;
}

struct CheckpointOpener {
    jobs::ProgressSink& progress;
    std::stop_token stop;

    static bool hasExt(const fs::path& p, std::initializer_list<const char*> exts)
    {
        std::string e = p.extension().string();
        std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        for (const char* x : exts)
            if (e == x) return true;
        return false;
    }

    static Error pickle(const fs::path& p)
    {
        return makeError(ErrorCode::PickleRefused, p.string(),
                         "PyTorch pickle checkpoints can run arbitrary code and are never loaded; convert it to "
                         "safetensors first (for example: transformers' save_pretrained(..., safe_serialization=True))");
    }

    Result<std::shared_ptr<const Checkpoint>> open(const fs::path& path)
    {
        std::error_code ec;
        if (!fs::exists(path, ec)) return makeError(ErrorCode::NotFound, path.string(), "no such file or folder");
        if (fs::is_directory(path, ec)) return openFolder(path);
        if (hasExt(path, {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"})) return pickle(path);
        if (hasExt(path, {".gguf"})) return openGguf(path);
        if (hasExt(path, {".safetensors"})) return openSafetensorsFile(path);
        // Unknown extension: sniff the first bytes.
        auto mf = MappedFile::open(path);
        if (!mf) return std::move(mf).error();
        const auto& f = **mf;
        if (f.size() >= 4 && std::memcmp(f.data(), "GGUF", 4) == 0) return openGguf(path);
        if (f.size() >= 2 && (std::memcmp(f.data(), "PK", 2) == 0 || static_cast<unsigned char>(f.data()[0]) == 0x80))
            return pickle(path);
        if (f.size() >= 9 && static_cast<char>(f.data()[8]) == '{') return openSafetensorsFile(path);
        return makeError(ErrorCode::UnsupportedFormat, path.string(), "not a GGUF or safetensors file, nor a Hugging Face model folder");
    }

    Result<std::shared_ptr<const Checkpoint>> openGguf(const fs::path& path)
    {
        progress.report(jobs::Stage::Opening, 0, 1, path.filename().string());
        auto g = GgufFile::open(path);
        if (!g) return std::move(g).error();
        auto ck = std::make_shared<Checkpoint>();
        ck->m_format = CheckpointFormat::Gguf;
        ck->m_path = path;
        ck->m_folder = path.parent_path();
        ck->m_files = {path.string()};
        ck->m_gguf = *g;
        const GgufFile& gf = **g;
        ck->m_spec = specFromGguf(gf);
        if (ck->m_spec.name.empty()) ck->m_spec.name = path.stem().string();
        for (std::size_t i = 0; i < gf.tensors().size(); ++i) {
            const auto& t = gf.tensors()[i];
            TensorEntry e;
            e.name = t.name;
            e.dtype = t.type;
            for (std::uint32_t d = t.nDims; d-- > 0;) e.shape.push_back(t.ne[d]);
            e.bytes = t.bytes;
            e.source = 0;
            e.indexInSource = static_cast<std::uint32_t>(i);
            ck->m_tensors.push_back(std::move(e));
        }
        ck->m_metadata.push_back({"GGUF.version", std::to_string(gf.version())});
        for (const auto& kv : gf.metadata()) ck->m_metadata.push_back({kv.key, kv.value.toDisplay()});
        progress.report(jobs::Stage::Opening, 1, 1, path.filename().string());
        return std::shared_ptr<const Checkpoint>(std::move(ck));
    }

    Status loadConfig(Checkpoint& ck, const fs::path& folder)
    {
        const fs::path cfg = folder / "config.json";
        std::error_code ec;
        if (!fs::exists(cfg, ec)) return okStatus();
        auto text = readTextFile(cfg, kMaxConfigBytes);
        if (!text) return std::move(text).error();
        auto spec = parseHfConfig(*text, cfg.string());
        if (!spec) return std::move(spec).error();
        ck.m_spec = std::move(*spec);
        nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
        auto q = readHfQuantization(j, folder, cfg.string());
        if (!q) return std::move(q).error();
        ck.m_quantization = *q;
        if (ck.m_quantization) ck.m_metadata.push_back({"quantization", hfQuantizationLabel(*ck.m_quantization)});
        ck.m_hasConfig = true;
        ck.m_metadata.push_back({"architecture", ck.m_spec.hfArchitecture});
        ck.m_metadata.push_back({"model_type", ck.m_spec.modelType});
        return okStatus();
    }

    Status addShard(Checkpoint& ck, const fs::path& file, std::size_t i, std::size_t n)
    {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, file.string(), "cancelled");
        progress.report(jobs::Stage::Opening, i, n, file.filename().string());
        auto st = SafetensorsFile::open(file);
        if (!st) return std::move(st).error();
        const auto source = static_cast<std::uint32_t>(ck.m_shards.size());
        const auto& tensors = (*st)->tensors();
        for (std::size_t k = 0; k < tensors.size(); ++k) {
            const auto& t = tensors[k];
            if (ck.findTensor(t.name) >= 0)
                return makeError(ErrorCode::Malformed, file.string(), "tensor " + quotedName(t.name) + " also appears in an earlier shard");
            TensorEntry e;
            e.name = t.name;
            e.dtype = t.dtype;
            e.shape = t.shape;
            e.bytes = t.bytes();
            e.source = source;
            e.indexInSource = static_cast<std::uint32_t>(k);
            ck.m_tensors.push_back(std::move(e));
        }
        ck.m_shards.push_back(*st);
        ck.m_files.push_back(file.string());
        return okStatus();
    }

    // Integer-quantized linears (quantization_config): each `<p>.<marker>` with its packed
    // companions becomes one `<p>.weight` entry (F32, decoded on first access) at the marker's
    // place; the packed tensors leave the list. Everything a header says is checked now.
    Status applyQuantization(Checkpoint& ck)
    {
        if (!ck.m_quantization) return okStatus();
        const PackConfig& cfg = *ck.m_quantization;
        const std::string marker(packedMarkerSuffix(cfg.format));
        const auto suffixes = packedSuffixes(cfg.format);
        auto splitName = [&](const std::string& name) -> std::pair<std::string, std::string> {
            for (std::string_view sfx : suffixes) {
                const std::string tail = "." + std::string(sfx);
                if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0)
                    return {name.substr(0, name.size() - tail.size()), std::string(sfx)};
            }
            return {};
        };
        std::map<std::string, std::vector<std::size_t>> byPrefix; // prefix -> packed tensor indices
        for (std::size_t i = 0; i < ck.m_tensors.size(); ++i) {
            auto [prefix, sfx] = splitName(ck.m_tensors[i].name);
            if (!prefix.empty()) byPrefix[prefix].push_back(i);
        }
        std::vector<bool> drop(ck.m_tensors.size(), false);
        std::map<std::size_t, TensorEntry> insertAt; // marker index -> the weight entry
        for (const auto& [prefix, idx] : byPrefix) {
            std::vector<PackedView> views;
            const TensorEntry* markerEntry = nullptr;
            std::size_t markerIndex = 0;
            for (std::size_t i : idx) {
                const TensorEntry& t = ck.m_tensors[i];
                const std::string sfx = splitName(t.name).second;
                views.push_back({sfx, t.dtype, t.shape, ck.m_shards.at(t.source)->tensorData(t.indexInSource)});
                if (sfx == marker) {
                    markerEntry = &t;
                    markerIndex = i;
                }
                drop[i] = true;
            }
            const std::string file = ck.m_files.at(ck.m_tensors[idx.front()].source);
            if (markerEntry == nullptr) {
                Error e = makeError(ErrorCode::MissingTensor, file, "packed tensors without their " + marker);
                e.tensor = prefix + "." + marker;
                return e;
            }
            if (ck.findTensor(prefix + ".weight") >= 0) {
                Error e = makeError(ErrorCode::Malformed, file, "a linear is stored both packed and as a float weight");
                e.tensor = prefix + ".weight";
                return e;
            }
            if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, file, "cancelled");
            auto lin = DequantizedLinear::create(ck.m_files.at(markerEntry->source), prefix, cfg, std::move(views));
            if (!lin) return std::move(lin).error();
            TensorEntry w;
            w.name = prefix + ".weight";
            w.dtype = DType::F32;
            w.shape = {static_cast<std::uint64_t>((*lin)->rows()), static_cast<std::uint64_t>((*lin)->cols())};
            w.bytes = (*lin)->bytes();
            w.source = markerEntry->source;
            w.indexInSource = markerEntry->indexInSource;
            w.dequantized = static_cast<std::int32_t>(ck.m_dequantized.size());
            ck.m_dequantized.push_back(*lin);
            insertAt.emplace(markerIndex, std::move(w));
        }
        std::vector<TensorEntry> kept;
        kept.reserve(ck.m_tensors.size());
        for (std::size_t i = 0; i < ck.m_tensors.size(); ++i) {
            if (auto it = insertAt.find(i); it != insertAt.end()) kept.push_back(std::move(it->second));
            else if (!drop[i]) kept.push_back(std::move(ck.m_tensors[i]));
        }
        ck.m_tensors = std::move(kept);
        return okStatus();
    }

    Result<std::shared_ptr<const Checkpoint>> openSafetensorsFile(const fs::path& path)
    {
        auto ck = std::make_shared<Checkpoint>();
        ck->m_format = CheckpointFormat::Safetensors;
        ck->m_path = path;
        ck->m_folder = path.parent_path();
        CONDENSE_TRY(loadConfig(*ck, ck->m_folder));
        CONDENSE_TRY(addShard(*ck, path, 0, 1));
        CONDENSE_TRY(applyQuantization(*ck));
        ck->m_spec.name = ck->m_folder.filename().string();
        if (ck->m_spec.name.empty()) ck->m_spec.name = path.stem().string();
        progress.report(jobs::Stage::Opening, 1, 1, path.filename().string());
        return std::shared_ptr<const Checkpoint>(std::move(ck));
    }

    Result<std::shared_ptr<const Checkpoint>> openFolder(const fs::path& folderIn)
    {
        fs::path folder = folderIn;
        if (folder.filename().empty()) folder = folder.parent_path();
        auto ck = std::make_shared<Checkpoint>();
        ck->m_format = CheckpointFormat::HfFolder;
        ck->m_path = folder;
        ck->m_folder = folder;
        ck->m_spec.name = folder.filename().string();

        const fs::path index = folder / "model.safetensors.index.json";
        const fs::path single = folder / "model.safetensors";
        std::error_code ec;
        std::vector<fs::path> shardFiles;
        std::vector<std::pair<std::string, std::string>> indexed; // tensor -> shard file name
        if (fs::exists(index, ec)) {
            auto text = readTextFile(index, 64ull << 20);
            if (!text) return std::move(text).error();
            nlohmann::json j;
            try {
                j = nlohmann::json::parse(*text);
            } catch (const nlohmann::json::exception& e) {
                return makeError(ErrorCode::Malformed, index.string(), std::string("invalid JSON: ") + printableText(e.what()));
            }
            if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
                return makeError(ErrorCode::Malformed, index.string(), "no weight_map object");
            std::set<std::string> shardNames;
            for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
                if (!it.value().is_string()) return makeError(ErrorCode::Malformed, index.string(), "weight_map entry " + quotedName(it.key()) + " is not a file name");
                const std::string shard = it.value().get<std::string>();
                if (shard.empty() || shard.find('/') != std::string::npos || shard.find('\\') != std::string::npos || shard == "." || shard == "..")
                    return makeError(ErrorCode::Malformed, index.string(), "shard name " + quotedName(shard) + " is not a plain file name");
                shardNames.insert(shard);
                indexed.emplace_back(it.key(), shard);
            }
            if (shardNames.empty()) return makeError(ErrorCode::Malformed, index.string(), "weight_map is empty");
            for (const auto& s : shardNames) {
                const fs::path p = folder / s;
                if (!fs::exists(p, ec))
                    return makeError(ErrorCode::NotFound, p.string(), "shard listed in " + index.filename().string() + " does not exist");
                shardFiles.push_back(p);
            }
        } else if (fs::exists(single, ec)) {
            shardFiles.push_back(single);
        } else {
            std::vector<fs::path> st, pickles, ggufs;
            for (const auto& de : fs::directory_iterator(folder, ec)) {
                if (!de.is_regular_file(ec)) continue;
                const auto& p = de.path();
                if (hasExt(p, {".safetensors"})) st.push_back(p);
                else if (hasExt(p, {".bin", ".pt", ".pth", ".ckpt"})) pickles.push_back(p);
                else if (hasExt(p, {".gguf"})) ggufs.push_back(p);
            }
            std::sort(st.begin(), st.end());
            if (!st.empty()) shardFiles = st;
            else if (!pickles.empty()) return pickle(pickles.front());
            else if (ggufs.size() == 1) return openGguf(ggufs.front());
            else return makeError(ErrorCode::UnsupportedFormat, folder.string(), "folder holds no model.safetensors, sharded index, or single .gguf file");
        }

        CONDENSE_TRY(loadConfig(*ck, folder));
        for (std::size_t i = 0; i < shardFiles.size(); ++i) CONDENSE_TRY(addShard(*ck, shardFiles[i], i, shardFiles.size()));
        // Every tensor the index lists is in the shard it names (a stale index is not a model).
        for (const auto& [n, shard] : indexed) {
            const std::int64_t k = ck->findTensor(n);
            if (k < 0)
                return makeError(ErrorCode::MissingTensor, index.string(), "index lists tensor " + quotedName(n) + " but no shard holds it");
            const std::string& holder = ck->m_files[ck->m_tensors[static_cast<std::size_t>(k)].source];
            if (fs::path(holder).filename().string() != shard)
                return makeError(ErrorCode::Malformed, index.string(), "index places tensor " + quotedName(n) + " in " + quotedName(shard) + " but it is in " + quotedName(fs::path(holder).filename().string()));
        }
        CONDENSE_TRY(applyQuantization(*ck));
        progress.report(jobs::Stage::Opening, shardFiles.size(), shardFiles.size(), folder.filename().string());
        return std::shared_ptr<const Checkpoint>(std::move(ck));
    }
};

Result<std::shared_ptr<const Checkpoint>> openCheckpoint(const fs::path& path, jobs::ProgressSink& progress,
                                                         std::stop_token stop)
{
    CheckpointOpener o{progress, stop};
    // Core never throws across its API: a failed allocation or a filesystem error thrown deep
    // in the standard library becomes an Error naming the path.
    try {
        return o.open(path);
    } catch (const std::bad_alloc&) {
        return makeError(ErrorCode::IoError, path.string(), "out of memory while reading the model");
    } catch (const std::exception& e) {
        return makeError(ErrorCode::IoError, path.string(), printableText(e.what()));
    }
}

} // namespace condense::io
