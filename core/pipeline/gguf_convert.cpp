#include "core/pipeline/gguf_convert.h"
#include "core/io/error_text.h"
#include "core/io/json_file.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "core/arch/rope_factors.h"
#include "core/pipeline/gguf_tokenizer.h"
#include "core/io/gguf_writer.h"
#include "core/arch/tensor_naming.h"
#include "core/jobs/thread_arena.h"
#include "core/quant/row_source.h"
#include "core/tensor/float_convert.h"

namespace condense::pipeline {

using namespace condense::io; // this file was core/io code: readers, writer and values

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// Output bytes converted per parallel step: bounds memory per tensor.
constexpr std::uint64_t kChunkBytes = 8ull << 20;

bool endsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

// include/llama.h enum llama_ftype
std::uint32_t llamaFileType(DType t)
{
    switch (t) {
    case DType::F32: return 0;
    case DType::F16: return 1;
    case DType::BF16: return 32;
    default: return 1024; // GUESSED
    }
}

// conversion/base.py prepare_tensors: 1-D tensors, norms and anything that is not a
// ".weight" (biases) stay F32; other weights get the requested type.
DType outputTypeFor(const std::string& name, std::size_t nDims, DType requested)
{
    if (nDims <= 1 || endsWith(name, "_norm.weight")) return DType::F32;
    if (!endsWith(name, ".weight") && !endsWith(name, ".lora_a") && !endsWith(name, ".lora_b")) return DType::F32;
    return requested;
}

bool isPlainFloat(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64; }

using Planned = ConvertedTensor;

std::vector<std::uint64_t> ggmlNe(const std::vector<std::uint64_t>& shape)
{
    if (shape.empty()) return {1};
    return {shape.rbegin(), shape.rend()};
}

std::uint64_t elementsOf(const std::vector<std::uint64_t>& shape)
{
    std::uint64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

// Converts one planned tensor chunk by chunk, rows in parallel, and streams it out. The rows
// come from quant::RowSource in llama.cpp order (the Q/K permutation included).
Status produceTensor(const Checkpoint& input, const Planned& p, TensorOutput& out, std::stop_token stop)
{
    const DTypeTraits* dt = dtypeTraits(p.outType);
    if (p.source < 0) {
        std::vector<std::byte> buf(p.generated.size() * dt->blockBytes);
        if (!convertFromF32(p.outType, p.generated.data(), buf.data(), p.generated.size()))
            return makeError(ErrorCode::UnsupportedType, {}, "cannot write generated tensor as " + std::string(dt->name));
        return out.write(buf);
    }
    if (p.srcType == p.outType && p.outType != DType::F32 && p.outType != DType::F16 && p.outType != DType::BF16) {
        // Not float rows (a GGUF's F64 or integer tensors): copied as stored.
        const std::span<const std::byte> data = input.tensorData(static_cast<std::size_t>(p.source));
        if (data.size() != elementsOf(p.shape) / dt->blockSize * dt->blockBytes)
            return makeError(ErrorCode::Malformed, input.path().string(), "tensor data size does not match its shape and dtype");
        return out.write(data);
    }
    auto rows = quant::RowSource::open(input, static_cast<std::size_t>(p.source), quant::RowOrder::LlamaCpp);
    if (!rows) return std::move(rows).error();
    const quant::RowSource& src = *rows;
    if (src.rows() == 0 || src.cols() == 0) return okStatus();
    const std::uint64_t dstRowBytes = src.cols() * dt->blockBytes;
    const std::uint64_t rowsPerChunk = std::max<std::uint64_t>(1, kChunkBytes / std::max<std::uint64_t>(1, dstRowBytes));
    const std::size_t grain = static_cast<std::size_t>(std::max<std::uint64_t>(1, 16384 / src.cols()));
    std::vector<std::byte> buf(static_cast<std::size_t>(std::min(src.rows(), rowsPerChunk) * dstRowBytes));
    std::atomic<bool> failed{false};
    for (std::uint64_t r0 = 0; r0 < src.rows(); r0 += rowsPerChunk) {
        if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, {}, "cancelled");
        const std::uint64_t n = std::min(rowsPerChunk, src.rows() - r0);
        const bool completed = jobs::parallelFor(
            static_cast<std::size_t>(n), stop,
            [&](std::size_t k) {
                if (!src.readAs(p.outType, r0 + k, 1, buf.data() + k * dstRowBytes)) failed.store(true, std::memory_order_relaxed);
            },
            grain);
        if (!completed) return makeError(ErrorCode::Cancelled, {}, "cancelled");
        if (failed.load()) return src.readAs(p.outType, r0, n, buf.data()); // the error, once
        CONDENSE_TRY(out.write(std::span<const std::byte>(buf.data(), static_cast<std::size_t>(n * dstRowBytes))));
    }
    return okStatus();
}

// ---- general.* metadata (gguf-py metadata.py Metadata.load and its heuristics) -------------

bool isDecimal(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || static_cast<unsigned char>(c) >= 0x80; }

// Python str.title() for ASCII (non-ASCII bytes count as cased letters and are kept).
std::string pyTitle(const std::string& w)
{
    std::string r = w;
    bool prevCased = false;
    for (char& c : r) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) { prevCased = true; continue; }
        if (std::isalpha(u)) {
            c = static_cast<char>(prevCased ? std::tolower(u) : std::toupper(u));
            prevCased = true;
        } else {
            prevCased = false;
        }
    }
    return r;
}

bool pyIsLower(const std::string& w)
{
    bool cased = false;
    for (char c : w) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isupper(u)) return false;
        if (std::islower(u)) cased = true;
    }
    return cased;
}

// Metadata.id_to_title
std::string idToTitle(std::string s)
{
    std::replace(s.begin(), s.end(), '-', ' ');
    std::istringstream in(s);
    static const std::regex versionLike(R"(^(v\d+(?:\.\d+)*|\d.*)$)");
    std::string out, w;
    while (in >> w) {
        if (!out.empty()) out += ' ';
        out += (pyIsLower(w) && !std::regex_match(w, versionLike)) ? pyTitle(w) : w;
    }
    return out;
}

struct IdComponents {
    std::optional<std::string> fullName, org, basename, finetune, version, sizeLabel;
};

// Metadata.get_model_id_components
IdComponents modelIdComponents(const std::string& modelId, std::int64_t totalParams)
{
    IdComponents c;
    if (modelId.find(' ') != std::string::npos) {
        c.fullName = modelId;
        return c;
    }
    std::string full = modelId;
    if (const auto slash = modelId.find('/'); slash != std::string::npos) {
        c.org = modelId.substr(0, slash);
        full = modelId.substr(slash + 1);
    }
    if (c.org && !c.org->empty() && (*c.org)[0] == '.') c.org.reset();
    c.fullName = full;

    std::vector<std::string> parts;
    {
        std::size_t start = 0;
        while (true) {
            const auto dash = full.find('-', start);
            std::string part = full.substr(start, dash == std::string::npos ? std::string::npos : dash - start);
            if (!part.empty()) parts.push_back(part);
            if (dash == std::string::npos) break;
            start = dash + 1;
        }
    }
    using std::regex_constants::icase;
    static const std::regex versionRe(R"((v|iter)?\d+([.]\d+)*)", icase);
    static const std::regex typeRe(R"(i?q\d(_\w)*|b?fp?(16|32))", icase);
    static const std::regex sizeRe(R"((([A]|\d+[x])?\d+([._]\d+)?[KMBT][\d]?|small|mini|medium|large|x?xl))", icase);
    static const std::regex finetuneRe(R"(chat|instruct|vision|lora)", icase);

    std::vector<std::set<std::string>> types(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::string part = parts[i];
        if (std::regex_match(part, versionRe)) {
            types[i].insert("version");
        } else if (std::regex_match(part, typeRe)) {
            types[i].insert("type");
            std::transform(part.begin(), part.end(), part.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
            parts[i] = part;
        } else if (i > 0 && std::regex_match(part, sizeRe)) {
            std::replace(part.begin(), part.end(), '_', '.');
            if (isDecimal(part.back()) && part.size() >= 2) part = part.substr(0, part.size() - 2) + "." + part.back() + part[part.size() - 2];
            if (part.size() > 1 && isDecimal(part[part.size() - 2]) && std::string("kmbt").find(part.back()) != std::string::npos)
                part.back() = static_cast<char>(std::toupper(static_cast<unsigned char>(part.back())));
            if (totalParams != 0) {
                const std::string num = part.substr(0, part.size() - 1);
                char* end = nullptr;
                const double v = num.empty() ? 0.0 : std::strtod(num.c_str(), &end);
                const bool parsed = !num.empty() && end && *end == '\0' &&
                                    num.find_first_not_of("0123456789.+-eE") == std::string::npos;
                if (parsed) {
                    const auto scale = std::string(" KMBT").find(part.back());
                    const double label = v * std::pow(1000.0, scale == std::string::npos ? -1.0 : static_cast<double>(scale));
                    const double total = static_cast<double>(totalParams);
                    const std::int64_t absTotal = totalParams < 0 ? -totalParams : totalParams;
                    if ((totalParams < 0 && label < static_cast<double>(absTotal / 8)) ||
                        (totalParams > 0 && std::fabs(label - total) > static_cast<double>(7 * totalParams / 8))) {
                        types[i].insert("finetune");
                        part.back() = static_cast<char>(std::tolower(static_cast<unsigned char>(part.back())));
                    }
                }
            }
            if (types[i].empty()) types[i].insert("size_label");
            parts[i] = part;
        } else if (i > 0 && std::regex_match(part, finetuneRe)) {
            if (totalParams < 0 && (part == "lora" || part == "LoRA" || part == "LORA" || part == "Lora")) types[i].insert("type");
            else types[i].insert("finetune");
        }
    }
    bool numericSize = false;
    for (std::size_t i = 0; i < parts.size(); ++i)
        if (types[i].count("size_label") && std::any_of(parts[i].begin(), parts[i].end(), isDecimal)) numericSize = true;
    if (numericSize)
        for (std::size_t i = 0; i < parts.size(); ++i)
            if (types[i].count("size_label") && std::all_of(parts[i].begin(), parts[i].end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)) != 0; }))
                types[i].erase("size_label");
    bool atStart = true;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (atStart && ((types[i].empty() && isAlpha(parts[i][0])) || types[i].count("version"))) {
            types[i].insert("basename");
        } else {
            atStart = false;
            if (types[i].empty()) types[i].insert("finetune");
        }
    }
    for (std::size_t i = parts.size(); i-- > 0;) {
        if (types[i].count("basename") && types[i].size() > 1) types[i].erase("basename");
        else break;
    }
    const auto join = [&](auto pred, bool dedupe) -> std::optional<std::string> {
        std::string r;
        std::set<std::string> seen;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (!pred(types[i])) continue;
            if (dedupe && !seen.insert(parts[i]).second) continue;
            if (!r.empty()) r += '-';
            r += parts[i];
        }
        if (r.empty()) return std::nullopt;
        return r;
    };
    c.basename = join([](const auto& t) { return t.count("basename") > 0; }, false);
    c.sizeLabel = join([](const auto& t) { return t.count("size_label") > 0; }, true);
    c.finetune = join([](const auto& t) { return t.count("finetune") > 0; }, false);
    c.version = join([](const auto& t) { return t.count("version") > 0 && t.count("basename") == 0; }, false);
    if (!c.sizeLabel && !c.finetune && !c.version) c.basename.reset();
    return c;
}

// gguf-py utility.py model_weight_count_rounded_notation / size_label
std::string sizeLabel(std::uint64_t params)
{
    double scaled;
    char suffix;
    const double p = static_cast<double>(params);
    if (p > 1e12) { scaled = p * 1e-12; suffix = 'T'; }
    else if (p > 1e9) { scaled = p * 1e-9; suffix = 'B'; }
    else if (p > 1e6) { scaled = p * 1e-6; suffix = 'M'; }
    else { scaled = p * 1e-3; suffix = 'K'; }
    std::string rounded = std::to_string(static_cast<long long>(std::nearbyint(scaled))); // Python round(): ties to even
    rounded.erase(0, rounded.find_first_not_of('0') == std::string::npos ? rounded.size() : rounded.find_first_not_of('0'));
    const int fix = std::max(2 - static_cast<int>(rounded.size()), 0);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f%c", fix, scaled, suffix);
    return buf;
}

// The converter's hparams: config.json as AutoConfig would present it (text_config merged in,
// the defaults transformers fills in for the keys the converter reads).
Json hparamsFor(const Json& config, const arch::ModelSpec& spec)
{
    Json h = config;
    if (h.contains("text_config") && h["text_config"].is_object())
        for (auto it = h["text_config"].begin(); it != h["text_config"].end(); ++it) h[it.key()] = it.value();
    const auto setDefault = [&](const char* k, Json v) {
        if (!h.contains(k) || h[k].is_null()) h[k] = std::move(v);
    };
    setDefault("num_key_value_heads", spec.numKvHeads);
    if (spec.family == arch::Family::Llama || spec.family == arch::Family::Mistral || spec.family == arch::Family::Qwen3)
        if (!h.contains("head_dim") || h["head_dim"].is_null()) h["head_dim"] = spec.headDim;
    std::uint64_t defCtx = 2048;
    if (spec.family == arch::Family::Mistral) defCtx = 4096 * 32;
    if (spec.family == arch::Family::Qwen2 || spec.family == arch::Family::Qwen3) defCtx = 32768;
    setDefault("max_position_embeddings", defCtx);
    setDefault("rms_norm_eps", spec.rmsNormEps);
    if (!h.contains("rope_parameters") && !h.contains("rope_theta")) h["rope_theta"] = spec.ropeTheta;
    return h;
}

const Json* findHparam(const Json& h, std::initializer_list<const char*> keys)
{
    for (const char* k : keys) {
        auto it = h.find(k);
        if (it != h.end()) return &*it;
    }
    return nullptr;
}

struct MetaBuilder {
    GgufWriter& w;
    std::string arch;
    std::string label; // config.json path for errors

    Status u32(const std::string& key, const Json& v)
    {
        if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::uint64_t>() > 0xffffffffull)
            return makeError(ErrorCode::Malformed, label, "'" + key + "' needs a non-negative 32-bit integer, got " + v.dump());
        w.set(key, GgufValue::u32(static_cast<std::uint32_t>(v.get<std::uint64_t>())));
        return okStatus();
    }
    Status f32(const std::string& key, const Json& v)
    {
        if (!v.is_number()) return makeError(ErrorCode::Malformed, label, "'" + key + "' needs a number, got " + v.dump());
        w.set(key, GgufValue::f32(static_cast<float>(v.get<double>())));
        return okStatus();
    }
    std::string k(const char* suffix) const { return arch + "." + suffix; }
};

// TextModel.__init__'s rope_parameters view (global params mirrored into it).
Json ropeParameters(const Json& h)
{
    Json rp;
    if (h.contains("rope_parameters")) rp = h["rope_parameters"];
    else if (h.contains("rope_scaling")) rp = h["rope_scaling"];
    if (!rp.is_object()) rp = Json::object();
    if (!rp.contains("full_attention") && !rp.contains("sliding_attention")) {
        const Json* theta = findHparam(h, {"global_rope_theta", "rope_global_theta", "rope_theta_global", "rope_theta", "rotary_emb_base"});
        if (!rp.contains("rope_theta") && theta && !theta->is_null()) rp["rope_theta"] = *theta;
        if (!rp.contains("rope_type") && rp.contains("type") && !rp["type"].is_null()) rp["rope_type"] = rp["type"];
        const Json* prf = findHparam(h, {"partial_rotary_factor", "rope_pct", "rope_percent"});
        if (!rp.contains("partial_rotary_factor") && prf && !prf->is_null()) rp["partial_rotary_factor"] = *prf;
        const Json* omp = findHparam(h, {"original_max_position_embeddings"});
        if (!rp.contains("original_max_position_embeddings") && omp && !omp->is_null()) rp["original_max_position_embeddings"] = *omp;
    }
    return rp;
}

// TextModel.set_gguf_parameters (+ LlamaModel's vocab_size and rope.dimension_count).
Status addHyperParameters(MetaBuilder& m, const Json& h, const arch::ModelSpec& spec, DType outType, std::vector<Message>& warnings)
{
    const Json* v = findHparam(h, {"n_layers", "num_hidden_layers", "n_layer", "num_layers"});
    if (!v) return makeError(ErrorCode::Malformed, m.label, "config has no num_hidden_layers");
    CONDENSE_TRY(m.u32(m.k("block_count"), *v));
    if ((v = findHparam(h, {"max_position_embeddings", "n_ctx", "n_positions", "max_length", "max_sequence_length", "model_max_length"})) && !v->is_null())
        CONDENSE_TRY(m.u32(m.k("context_length"), *v));
    if ((v = findHparam(h, {"hidden_size", "n_embd", "dim"})) && !v->is_null()) CONDENSE_TRY(m.u32(m.k("embedding_length"), *v));
    if ((v = findHparam(h, {"prefix_dense_intermediate_size", "dense_intermediate_size", "intermediate_size", "n_inner", "hidden_dim"})) && !v->is_null())
        CONDENSE_TRY(m.u32(m.k("feed_forward_length"), *v));
    if ((v = findHparam(h, {"num_attention_heads", "n_head", "n_heads"})) && !v->is_null()) CONDENSE_TRY(m.u32(m.k("attention.head_count"), *v));
    if ((v = findHparam(h, {"num_key_value_heads", "n_kv_heads"})) && !v->is_null()) CONDENSE_TRY(m.u32(m.k("attention.head_count_kv"), *v));
    if (h.contains("is_causal") && h["is_causal"].is_boolean() && !h["is_causal"].get<bool>())
        m.w.set(m.k("attention.causal"), GgufValue::boolean(false));

    const Json rp = ropeParameters(h);
    const Json& params = rp.contains("full_attention") ? rp["full_attention"] : rp;
    if (params.contains("rope_type") && params["rope_type"].is_string()) {
        const std::string type = params["rope_type"].get<std::string>();
        const Json factor = params.contains("factor") ? params["factor"] : Json();
        if (type == "linear" && !factor.is_null()) {
            m.w.set(m.k("rope.scaling.type"), GgufValue::string("linear"));
            CONDENSE_TRY(m.f32(m.k("rope.scaling.factor"), factor));
        } else if (type == "yarn" && !factor.is_null()) {
            m.w.set(m.k("rope.scaling.type"), GgufValue::string("yarn"));
            CONDENSE_TRY(m.f32(m.k("rope.scaling.factor"), factor));
            if (!params.contains("original_max_position_embeddings"))
                return makeError(ErrorCode::Malformed, m.label, "yarn rope scaling without original_max_position_embeddings");
            CONDENSE_TRY(m.u32(m.k("rope.scaling.original_context_length"), params["original_max_position_embeddings"]));
            if (params.contains("extrapolation_factor") && !params["extrapolation_factor"].is_null())
                CONDENSE_TRY(m.f32(m.k("rope.scaling.yarn_ext_factor"), params["extrapolation_factor"]));
            const Json attn = params.contains("attention_factor") ? params["attention_factor"] : (params.contains("attn_factor") ? params["attn_factor"] : Json());
            if (!attn.is_null()) CONDENSE_TRY(m.f32(m.k("rope.scaling.yarn_attn_factor"), attn));
            if (params.contains("beta_fast") && !params["beta_fast"].is_null()) CONDENSE_TRY(m.f32(m.k("rope.scaling.yarn_beta_fast"), params["beta_fast"]));
            if (params.contains("beta_slow") && !params["beta_slow"].is_null()) CONDENSE_TRY(m.f32(m.k("rope.scaling.yarn_beta_slow"), params["beta_slow"]));
        } else if (type == "su" || type == "longrope") {
            m.w.set(m.k("rope.scaling.type"), GgufValue::string("longrope"));
        } else if (type == "dynamic") {
            // handled by model classes we do not convert
        } else {
            std::string lower = type;
            std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            if (lower != "llama3" && lower != "default") warnings.push_back(Message(MessageCode::UnknownRopeType, {}, {{"rope_type", type}}));
        }
    }
    if (params.contains("rope_theta") && !params["rope_theta"].is_null()) CONDENSE_TRY(m.f32(m.k("rope.freq_base"), params["rope_theta"]));
    if ((v = findHparam(h, {"rms_norm_eps", "norm_eps"})) && !v->is_null()) CONDENSE_TRY(m.f32(m.k("attention.layer_norm_rms_epsilon"), *v));
    if ((v = findHparam(h, {"layer_norm_eps", "layer_norm_epsilon", "norm_epsilon"})) && !v->is_null())
        CONDENSE_TRY(m.f32(m.k("attention.layer_norm_epsilon"), *v));
    if (h.contains("head_dim") && !h["head_dim"].is_null()) {
        CONDENSE_TRY(m.u32(m.k("attention.key_length"), h["head_dim"]));
        CONDENSE_TRY(m.u32(m.k("attention.value_length"), h["head_dim"]));
    }
    m.w.set("general.file_type", GgufValue::u32(llamaFileType(outType)));

    if (spec.family == arch::Family::Llama || spec.family == arch::Family::Mistral) {
        if (!h.contains("vocab_size")) return makeError(ErrorCode::Malformed, m.label, "config has no vocab_size");
        CONDENSE_TRY(m.u32(m.k("vocab_size"), h["vocab_size"]));
        Json ropeDim = h.contains("head_dim") && !h["head_dim"].is_null() ? h["head_dim"] : Json(spec.hiddenSize / spec.numHeads);
        CONDENSE_TRY(m.u32(m.k("rope.dimension_count"), ropeDim));
    }
    return okStatus();
}

// LlamaModel.generate_extra_tensors: llama3 rope frequency factors, in float32 as torch computes them.
std::optional<std::vector<float>> llama3RopeFactors(const Json& h, const arch::ModelSpec& spec)
{
    const Json rp = ropeParameters(h);
    const Json& params = rp.contains("full_attention") ? rp["full_attention"] : rp;
    if (!params.contains("rope_type") || !params["rope_type"].is_string()) return std::nullopt;
    std::string type = params["rope_type"].get<std::string>();
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (type != "llama3") return std::nullopt;
    const auto num = [&](const char* k, double def) { return params.contains(k) && params[k].is_number() ? params[k].get<double>() : def; };
    const std::uint64_t dim = h.contains("head_dim") && h["head_dim"].is_number_integer() ? h["head_dim"].get<std::uint64_t>() : spec.hiddenSize / spec.numHeads;
    arch::Llama3RopeScaling scaling;
    scaling.theta = num("rope_theta", 10000.0);
    scaling.factor = num("factor", 8.0);
    scaling.lowFreqFactor = num("low_freq_factor", 1.0);
    scaling.highFreqFactor = num("high_freq_factor", 4.0);
    scaling.originalContext = num("original_max_position_embeddings", 8192.0);
    return arch::llama3RopeFactors<float>(scaling, dim);
}

// Metadata.load's generation_config.json sampling keys.
void addSamplingKeys(GgufWriter& w, const Json& gen)
{
    const auto f = [&](const char* src, const char* key) {
        if (gen.contains(src) && gen[src].is_number()) w.set(key, GgufValue::f32(static_cast<float>(gen[src].get<double>())));
    };
    const auto i = [&](const char* src, const char* key) {
        if (gen.contains(src) && gen[src].is_number_integer()) w.set(key, GgufValue::i32(static_cast<std::int32_t>(gen[src].get<std::int64_t>())));
    };
    if (gen.contains("sequence") && gen["sequence"].is_string() && !gen["sequence"].get<std::string>().empty())
        w.set("general.sampling.sequence", GgufValue::string(gen["sequence"].get<std::string>()));
    i("top_k", "general.sampling.top_k");
    f("top_p", "general.sampling.top_p");
    f("min_p", "general.sampling.min_p");
    f("xtc_probability", "general.sampling.xtc_probability");
    f("xtc_threshold", "general.sampling.xtc_threshold");
    f("temperature", "general.sampling.temp");
    i("penalty_last_n", "general.sampling.penalty_last_n");
    f("penalty_repeat", "general.sampling.penalty_repeat");
    i("mirostat", "general.sampling.mirostat");
    f("mirostat_tau", "general.sampling.mirostat_tau");
    f("mirostat_eta", "general.sampling.mirostat_eta");
}

// Metadata.apply_metadata_heuristic (config _name_or_path, then the folder name) and
// set_gguf_meta_model's key order.
void addModelMeta(GgufWriter& w, const Json& config, const fs::path& folder, std::uint64_t totalParams)
{
    std::optional<std::string> name, org, basename, finetune, version, size;
    const auto apply = [&](const std::string& id) {
        const IdComponents c = modelIdComponents(id, static_cast<std::int64_t>(totalParams));
        if (!name && c.fullName) name = idToTitle(*c.fullName);
        if (!org && c.org) org = idToTitle(*c.org);
        if (!basename && c.basename) basename = c.basename;
        if (!finetune && c.finetune) finetune = c.finetune;
        if (!version && c.version) version = c.version;
        if (!size && c.sizeLabel) size = c.sizeLabel;
    };
    if (config.contains("_name_or_path") && config["_name_or_path"].is_string()) {
        const std::string id = config["_name_or_path"].get<std::string>();
        if (std::count(id.begin(), id.end(), '/') <= 1) apply(id);
    }
    const std::string dirName = folder.filename().string();
    apply(dirName);
    if (!name) name = dirName;
    if (!size && totalParams > 0) size = sizeLabel(totalParams);
    const auto str = [&](const char* key, const std::optional<std::string>& v) {
        if (v && !v->empty()) w.set(key, GgufValue::string(*v));
    };
    str("general.name", name);
    str("general.version", version);
    str("general.organization", org);
    str("general.finetune", finetune);
    str("general.basename", basename);
    str("general.size_label", size);
}

// ---- HF folder / safetensors -> GGUF ------------------------------------------------------

// withMetadata = false: the tensor layout only (names, shapes, types), without the tokenizer
// and the metadata (no tokenizer file is read).
Result<ConversionLayout> planHf(const Checkpoint& input, DType outType, bool withMetadata)
{
    const fs::path folder = input.folder();
    const fs::path configPath = folder / "config.json";
    if (!input.hasConfig()) return makeError(ErrorCode::NotFound, configPath.string(), "a Hugging Face checkpoint needs its config.json to be converted");
    const arch::ModelSpec& spec = input.spec();
    if (!spec.known())
        return makeError(ErrorCode::UnsupportedArchitecture, configPath.string(),
                         "architecture '" + (spec.hfArchitecture.empty() ? spec.modelType : spec.hfArchitecture) +
                             "' cannot be converted (supported: llama, mistral, qwen2, qwen3)");
    auto cfgJson = readOptionalJsonFile(configPath, 64ull << 20);
    if (!cfgJson) return std::move(cfgJson).error();
    if (!*cfgJson || !(*cfgJson)->is_object()) return makeError(ErrorCode::Malformed, configPath.string(), "config.json is not a JSON object");
    const Json& rawConfig = **cfgJson;
    const Json h = hparamsFor(rawConfig, spec);
    const std::string arch = spec.ggufArchitecture();
    const bool llamaArch = spec.family == arch::Family::Llama || spec.family == arch::Family::Mistral;

    ConversionLayout layout;
    // The tokenizer first: a model llama.cpp cannot load is not worth converting.
    std::optional<GgufTokenizerMetadata> tok;
    if (withMetadata) {
        auto built = buildGgufTokenizer(folder, spec.family);
        if (!built) return std::move(built).error();
        tok = std::move(*built);
        for (auto& wmsg : tok->warnings) layout.warnings.push_back(std::move(wmsg));
    }

    // Tensor plan: generated tensors first, then the checkpoint's shards in order, each
    // shard's tensors sorted by name (as the safetensors Python API iterates them).
    std::vector<Planned>& plan = layout.tensors;
    if (llamaArch)
        if (auto factors = llama3RopeFactors(h, spec)) {
            Planned p;
            p.name = "rope_freqs.weight";
            p.outType = DType::F32;
            p.shape = {factors->size()};
            p.generated = std::move(*factors);
            plan.push_back(std::move(p));
        }
    std::vector<std::size_t> order(input.tensors().size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& ta = input.tensors()[a];
        const auto& tb = input.tensors()[b];
        if (ta.source != tb.source) return ta.source < tb.source;
        return ta.name < tb.name;
    });
    bool haveEmbedding = false;
    std::set<std::string> names;
    for (std::size_t idx : order) {
        const TensorEntry& e = input.tensors()[idx];
        if (arch::isSkippedHfTensor(e.name)) continue;
        auto gname = arch::ggufTensorName(e.name);
        if (!gname) {
            Error err = makeError(ErrorCode::UnsupportedArchitecture, input.files().at(e.source),
                                  "no llama.cpp name for this tensor of architecture " + arch);
            err.tensor = e.name;
            return err;
        }
        if (!names.insert(*gname).second) return makeError(ErrorCode::Malformed, input.files().at(e.source), "two tensors map to '" + *gname + "'");
        if (!isPlainFloat(e.dtype)) {
            Error err = makeError(ErrorCode::UnsupportedType, input.files().at(e.source),
                                  "a " + std::string(dtypeName(e.dtype)) + " tensor; only F32/F16/BF16/F64 weights can be converted");
            err.tensor = e.name;
            return err;
        }
        if (e.shape.size() > 4) return makeError(ErrorCode::UnsupportedFormat, input.files().at(e.source), "tensor '" + e.name + "' has more than 4 dimensions");
        Planned p;
        p.name = *gname;
        p.shape = e.shape;
        p.source = static_cast<std::int64_t>(idx);
        p.srcType = e.dtype;
        p.outType = outputTypeFor(p.name, std::max<std::size_t>(1, e.shape.size()), outType);
        p.permuteHeads = quant::llamaCppPermuteHeads(input, idx); // what RowSource's llama.cpp order applies
        if (*gname == "token_embd.weight") haveEmbedding = true;
        plan.push_back(std::move(p));
    }
    if (!haveEmbedding) return makeError(ErrorCode::MissingTensor, input.path().string(), "the checkpoint has no model.embed_tokens.weight");
    if (!withMetadata) return layout;

    GgufWriter w;
    std::uint64_t totalParams = 0;
    for (const auto& p : plan) totalParams += elementsOf(p.shape);

    w.set("general.architecture", GgufValue::string(arch));
    w.set("general.type", GgufValue::string("model"));
    auto gen = readOptionalJsonFile(folder / "generation_config.json", 64ull << 20);
    if (gen && *gen && (*gen)->is_object()) addSamplingKeys(w, **gen); // an unreadable generation config is ignored, as the converter does
    addModelMeta(w, rawConfig, folder, totalParams);
    MetaBuilder mb{w, arch, configPath.string()};
    CONDENSE_TRY(addHyperParameters(mb, h, spec, outType, layout.warnings));
    w.set("general.quantization_version", GgufValue::u32(2));
    for (auto& kv : tok->kv) w.set(std::move(kv.key), std::move(kv.value));
    layout.metadata = w.metadata();
    return layout;
}

// Streams the planned tensors of `input` through `w` into `output` (inside a ThreadArena of
// config.threads) and fills the report's output, size and tensor count.
Status writePlanned(const Checkpoint& input, const std::vector<Planned>& plan, GgufWriter& w, const fs::path& output,
                    const ConvertConfig& config, jobs::ProgressSink& progress, std::stop_token stop, ConvertReport& report)
{
    GgufWriteOptions opts;
    opts.tensorStage = jobs::Stage::Converting;
    for (const auto& f : input.files()) opts.inputs.emplace_back(f);
    jobs::ThreadArena arena(jobs::ThreadingConfig{config.threads});
    std::optional<Result<GgufWriteReport>> written;
    arena.execute([&] {
        written.emplace(w.write(
            output, [&](std::size_t i, TensorOutput& out) { return produceTensor(input, plan[i], out, stop); }, opts, progress, stop));
    });
    if (!*written) {
        Error e = std::move(*written).error();
        if (e.file.empty()) e.file = output.string();
        return e;
    }
    report.output = (*written)->path;
    report.fileBytes = (*written)->bytes;
    report.tensors = plan.size();
    return okStatus();
}

Result<ConvertReport> convertHf(const Checkpoint& input, const fs::path& output, const ConvertConfig& config,
                                jobs::ProgressSink& progress, std::stop_token stop)
{
    auto layout = planHf(input, config.outType, true);
    if (!layout) return std::move(layout).error();
    const std::vector<Planned>& plan = layout->tensors;
    ConvertReport report;
    report.warnings = std::move(layout->warnings);

    GgufWriter w;
    for (const auto& p : plan) CONDENSE_TRY(w.addTensor(p.name, p.outType, ggmlNe(p.shape)));
    for (auto& kv : layout->metadata) w.set(std::move(kv.key), std::move(kv.value));

    CONDENSE_TRY(writePlanned(input, plan, w, output, config, progress, stop, report));
    return report;
}

// ---- GGUF -> GGUF re-typing ----------------------------------------------------------------

Result<ConvertReport> retypeGguf(const Checkpoint& input, const fs::path& output, const ConvertConfig& config,
                                 jobs::ProgressSink& progress, std::stop_token stop)
{
    const GgufFile& g = *input.gguf();
    GgufWriter w;
    bool hasFileType = false;
    for (const auto& kv : g.metadata()) {
        if (kv.key == "general.file_type") {
            w.set(kv.key, GgufValue::u32(llamaFileType(config.outType)));
            hasFileType = true;
        } else {
            w.set(kv.key, kv.value);
        }
    }
    if (!hasFileType) w.set("general.file_type", GgufValue::u32(llamaFileType(config.outType)));

    std::vector<Planned> plan;
    for (std::size_t i = 0; i < g.tensors().size(); ++i) {
        const GgufTensorInfo& t = g.tensors()[i];
        const DTypeTraits* tr = dtypeTraits(t.type);
        if (tr && tr->isQuantized) {
            Error e = makeError(ErrorCode::UnsupportedType, g.path(),
                                "a " + std::string(tr->name) + " tensor; converting a quantized GGUF to a float type needs dequantization, which is not available yet");
            e.tensor = t.name;
            return e;
        }
        Planned p;
        p.name = t.name;
        for (std::uint32_t d = t.nDims; d-- > 0;) p.shape.push_back(t.ne[d]);
        p.source = static_cast<std::int64_t>(i);
        p.srcType = t.type;
        p.outType = isPlainFloat(t.type) && t.type != DType::F64 ? outputTypeFor(t.name, t.nDims, config.outType) : t.type;
        plan.push_back(std::move(p));
    }
    for (const auto& p : plan) CONDENSE_TRY(w.addTensor(p.name, p.outType, ggmlNe(p.shape)));

    ConvertReport report;
    CONDENSE_TRY(writePlanned(input, plan, w, output, config, progress, stop, report));
    return report;
}

} // namespace

Result<ConversionLayout> planHfTensorLayout(const Checkpoint& input, DType outType)
{
    if (input.format() == CheckpointFormat::Gguf) return makeError(ErrorCode::InvalidArgument, input.path().string(), "not a Hugging Face checkpoint");
    return planHf(input, outType, false);
}

Result<ConversionLayout> planHfConversion(const Checkpoint& input, DType outType)
{
    if (input.format() == CheckpointFormat::Gguf) return makeError(ErrorCode::InvalidArgument, input.path().string(), "not a Hugging Face checkpoint");
    return planHf(input, outType, true);
}

Status writeConvertedTensor(const Checkpoint& input, const ConvertedTensor& t, TensorOutput& out, std::stop_token stop)
{
    return produceTensor(input, t, out, stop);
}

Result<ConvertReport> convertToGguf(const Checkpoint& input, const fs::path& output, const ConvertConfig& config,
                                    jobs::ProgressSink& progress, std::stop_token stop)
{
    if (config.outType != DType::F32 && config.outType != DType::F16 && config.outType != DType::BF16)
        return makeError(ErrorCode::InvalidArgument, output.string(), "output type " + std::string(dtypeName(config.outType)) + " is not supported yet (F32, F16, BF16)");
    if (stop.stop_requested()) return makeError(ErrorCode::Cancelled, output.string(), "cancelled");
    if (input.format() == CheckpointFormat::Gguf && input.gguf()) return retypeGguf(input, output, config, progress, stop);
    return convertHf(input, output, config, progress, stop);
}

} // namespace condense::pipeline
