#include "tests/support/malformed.h"

#include <cstring>
#include <ostream>
#include <stdexcept>

#include "tests/support/temp_dir.h"

namespace condense::test {

namespace {
template <typename T>
void putLe(std::string& b, T v)
{
    unsigned char raw[sizeof(T)];
    std::memcpy(raw, &v, sizeof(T)); // the tests run on little-endian hosts (x86-64, arm64)
    b.append(reinterpret_cast<const char*>(raw), sizeof(T));
}

// Deterministic, non-constant filler so tensors are distinguishable.
std::string pattern(std::uint64_t n, std::uint64_t seed)
{
    std::string s(static_cast<std::size_t>(n), '\0');
    std::uint32_t x = static_cast<std::uint32_t>(seed * 2654435761u + 12345u);
    for (auto& c : s) {
        x = x * 1664525u + 1013904223u;
        c = static_cast<char>(x >> 24);
    }
    return s;
}

std::uint64_t alignUp(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }
} // namespace

void putU8(std::string& b, std::uint8_t v) { putLe(b, v); }
void putU16(std::string& b, std::uint16_t v) { putLe(b, v); }
void putU32(std::string& b, std::uint32_t v) { putLe(b, v); }
void putU64(std::string& b, std::uint64_t v) { putLe(b, v); }
void putF32(std::string& b, float v) { putLe(b, v); }
void putF64(std::string& b, double v) { putLe(b, v); }

void putGgufString(std::string& b, const std::string& s)
{
    putU64(b, s.size());
    b += s;
}

void pokeU32(std::string& b, std::size_t at, std::uint32_t v)
{
    if (at + 4 > b.size()) throw std::out_of_range("pokeU32 beyond the buffer");
    std::memcpy(b.data() + at, &v, 4);
}

void pokeU64(std::string& b, std::size_t at, std::uint64_t v)
{
    if (at + 8 > b.size()) throw std::out_of_range("pokeU64 beyond the buffer");
    std::memcpy(b.data() + at, &v, 8);
}

std::uint64_t peekU64(const std::string& b, std::size_t at)
{
    if (at + 8 > b.size()) throw std::out_of_range("peekU64 beyond the buffer");
    std::uint64_t v;
    std::memcpy(&v, b.data() + at, 8);
    return v;
}

std::string truncated(const std::string& b, std::size_t n) { return b.substr(0, n); }

// ---- GGUF ------------------------------------------------------------------------------------

GgufBuilder& GgufBuilder::kvRaw(const std::string& key, std::uint32_t type, std::string encodedValue)
{
    m_kvs.push_back({key, type, std::move(encodedValue)});
    return *this;
}

#define CONDENSE_KV_SCALAR(fn, T, id, put) \
    GgufBuilder& GgufBuilder::fn(const std::string& key, T v) \
    {                                                         \
        std::string b;                                        \
        put(b, v);                                            \
        return kvRaw(key, id, std::move(b));                  \
    }
CONDENSE_KV_SCALAR(kvU8, std::uint8_t, gguf::kU8, putU8)
CONDENSE_KV_SCALAR(kvI8, std::int8_t, gguf::kI8, putLe)
CONDENSE_KV_SCALAR(kvU16, std::uint16_t, gguf::kU16, putU16)
CONDENSE_KV_SCALAR(kvI16, std::int16_t, gguf::kI16, putLe)
CONDENSE_KV_SCALAR(kvU32, std::uint32_t, gguf::kU32, putU32)
CONDENSE_KV_SCALAR(kvI32, std::int32_t, gguf::kI32, putLe)
CONDENSE_KV_SCALAR(kvU64, std::uint64_t, gguf::kU64, putU64)
CONDENSE_KV_SCALAR(kvI64, std::int64_t, gguf::kI64, putLe)
CONDENSE_KV_SCALAR(kvF32, float, gguf::kF32, putF32)
CONDENSE_KV_SCALAR(kvF64, double, gguf::kF64, putF64)
#undef CONDENSE_KV_SCALAR

GgufBuilder& GgufBuilder::kvBool(const std::string& key, bool v)
{
    return kvRaw(key, gguf::kBool, std::string(1, v ? '\1' : '\0'));
}

GgufBuilder& GgufBuilder::kvString(const std::string& key, const std::string& v)
{
    std::string b;
    putGgufString(b, v);
    return kvRaw(key, gguf::kString, std::move(b));
}

GgufBuilder& GgufBuilder::kvStringArray(const std::string& key, const std::vector<std::string>& v)
{
    std::string b;
    putU32(b, gguf::kString);
    putU64(b, v.size());
    for (const auto& s : v) putGgufString(b, s);
    return kvRaw(key, gguf::kArray, std::move(b));
}

GgufBuilder& GgufBuilder::kvI32Array(const std::string& key, const std::vector<std::int32_t>& v)
{
    std::string b;
    putU32(b, gguf::kI32);
    putU64(b, v.size());
    for (auto x : v) putLe(b, x);
    return kvRaw(key, gguf::kArray, std::move(b));
}

GgufBuilder& GgufBuilder::kvF32Array(const std::string& key, const std::vector<float>& v)
{
    std::string b;
    putU32(b, gguf::kF32);
    putU64(b, v.size());
    for (auto x : v) putF32(b, x);
    return kvRaw(key, gguf::kArray, std::move(b));
}

GgufBuilder& GgufBuilder::tensor(const std::string& name, std::vector<std::uint64_t> ne, std::uint32_t ggmlType,
                                 std::uint64_t bytes, std::optional<std::uint64_t> offset)
{
    m_tensors.push_back({name, std::move(ne), ggmlType, bytes, offset});
    return *this;
}

GgufLayout GgufBuilder::build() const
{
    GgufLayout L;
    std::string& b = L.bytes;
    putU32(b, magic);
    putU32(b, version);
    putU64(b, tensorCountOverride.value_or(m_tensors.size()));
    putU64(b, kvCountOverride.value_or(m_kvs.size()));
    for (const auto& kv : m_kvs) {
        GgufKvLayout k;
        k.start = b.size();
        putGgufString(b, kv.key);
        k.keyBytes = k.start + 8;
        k.typeAt = b.size();
        putU32(b, kv.type);
        k.valueAt = b.size();
        b += kv.value;
        k.end = b.size();
        L.kvs.push_back(k);
    }
    // Offsets as llama.cpp's writer lays them out: each tensor at the next aligned offset.
    std::uint64_t next = 0;
    std::vector<std::uint64_t> offsets;
    for (const auto& t : m_tensors) {
        const std::uint64_t off = t.offset.value_or(next);
        offsets.push_back(off);
        next = alignUp(off + t.bytes, alignment);
    }
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        const auto& t = m_tensors[i];
        GgufTensorLayout tl;
        tl.start = b.size();
        putGgufString(b, t.name);
        tl.nDimsAt = b.size();
        putU32(b, static_cast<std::uint32_t>(t.ne.size()));
        tl.neAt = b.size();
        for (auto d : t.ne) putU64(b, d);
        tl.typeAt = b.size();
        putU32(b, t.type);
        tl.offsetAt = b.size();
        putU64(b, offsets[i]);
        tl.end = b.size();
        tl.bytes = t.bytes;
        L.tensors.push_back(tl);
    }
    L.infosEnd = b.size();
    L.dataStart = static_cast<std::size_t>(alignUp(b.size(), alignment));
    b.resize(L.dataStart, '\0');
    // Data: only for tensors laid out normally (explicit offsets far away are not backed).
    std::uint64_t dataEnd = 0;
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        L.tensors[i].dataAt = L.dataStart + static_cast<std::size_t>(offsets[i]);
        if (m_tensors[i].offset) continue;
        dataEnd = std::max(dataEnd, alignUp(offsets[i] + m_tensors[i].bytes, alignment));
    }
    b.resize(L.dataStart + static_cast<std::size_t>(dataEnd), '\0');
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        if (m_tensors[i].offset) continue;
        const std::string data = pattern(m_tensors[i].bytes, i + 1);
        b.replace(L.tensors[i].dataAt, data.size(), data);
    }
    return L;
}

GgufBuilder sampleGguf()
{
    GgufBuilder g;
    g.kvString("general.architecture", "llama")
        .kvString("general.name", "synthetic")
        .kvU32("llama.block_count", 1)
        .kvU64("llama.context_length", 64)
        .kvF32("llama.rope.freq_base", 10000.0f)
        .kvF64("test.f64", 0.5)
        .kvBool("test.bool", true)
        .kvU8("test.u8", 200)
        .kvI8("test.i8", -100)
        .kvU16("test.u16", 60000)
        .kvI16("test.i16", -30000)
        .kvI32("test.i32", -2000000000)
        .kvI64("test.i64", -5000000000000LL)
        .kvI32Array("test.i32_array", {1, -2, 3})
        .kvF32Array("test.f32_array", {0.25f, -1.5f})
        .kvStringArray("tokenizer.ggml.tokens", {"<unk>", "a", "bc", "def"});
    g.tensor("token_embd.weight", {32, 4}, ggml::kF16, 32 * 4 * 2)
        .tensor("blk.0.attn_norm.weight", {32}, ggml::kF32, 32 * 4)
        .tensor("blk.0.ffn_down.weight", {32, 2}, ggml::kQ8_0, 2 * 34);
    return g;
}

// ---- safetensors -------------------------------------------------------------------------------

SafetensorsBuilder& SafetensorsBuilder::tensor(const std::string& name, const std::string& dtype,
                                               std::vector<std::uint64_t> shape, std::uint64_t elementBytes)
{
    std::uint64_t n = 1;
    for (auto d : shape) n *= d;
    m_tensors.push_back({name, dtype, std::move(shape), n * elementBytes});
    m_names.push_back(name);
    return *this;
}

SafetensorsBuilder& SafetensorsBuilder::metadata(const std::string& key, const std::string& value)
{
    m_metadata.emplace_back(key, value);
    return *this;
}

nlohmann::ordered_json SafetensorsBuilder::header() const
{
    nlohmann::ordered_json h = nlohmann::ordered_json::object();
    if (!m_metadata.empty()) {
        nlohmann::ordered_json m = nlohmann::ordered_json::object();
        for (const auto& [k, v] : m_metadata) m[k] = v;
        h["__metadata__"] = m;
    }
    std::uint64_t off = 0;
    for (const auto& t : m_tensors) {
        h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {off, off + t.bytes}}};
        off += t.bytes;
    }
    return h;
}

std::string SafetensorsBuilder::buffer() const
{
    std::string b;
    for (std::size_t i = 0; i < m_tensors.size(); ++i) b += pattern(m_tensors[i].bytes, 100 + i);
    return b;
}

std::string SafetensorsBuilder::assemble(const std::string& headerText, const std::string& buffer)
{
    std::string h = headerText;
    h.resize((h.size() + 7) / 8 * 8, ' '); // the reference writer pads with spaces to 8 bytes
    return assembleWithLength(h.size(), h, buffer);
}

std::string SafetensorsBuilder::assembleWithLength(std::uint64_t headerLength, const std::string& headerText,
                                                   const std::string& buffer)
{
    std::string b;
    putU64(b, headerLength);
    b += headerText;
    b += buffer;
    return b;
}

SafetensorsBuilder sampleSafetensors()
{
    SafetensorsBuilder s;
    s.tensor("model.embed_tokens.weight", "F16", {16, 32}, 2)
        .tensor("model.layers.0.input_layernorm.weight", "F16", {32}, 2)
        .tensor("model.layers.0.self_attn.q_proj.weight", "F16", {32, 32}, 2)
        .tensor("model.norm.weight", "F16", {32}, 2)
        .tensor("lm_head.weight", "F16", {16, 32}, 2)
        .metadata("format", "pt");
    return s;
}

// ---- Hugging Face folder ------------------------------------------------------------------

nlohmann::ordered_json sampleConfig()
{
    return {
        {"architectures", {"LlamaForCausalLM"}},
        {"model_type", "llama"},
        {"hidden_size", 32},
        {"intermediate_size", 64},
        {"num_hidden_layers", 1},
        {"num_attention_heads", 4},
        {"num_key_value_heads", 2},
        {"head_dim", 8},
        {"vocab_size", 16},
        {"max_position_embeddings", 64},
        {"rms_norm_eps", 1e-5},
        {"rope_parameters", {{"rope_theta", 10000.0}, {"rope_type", "default"}}},
        {"tie_word_embeddings", false},
        {"dtype", "float16"},
    };
}

HfFolder HfFolder::single()
{
    HfFolder f;
    f.files.emplace_back("model.safetensors", sampleSafetensors().build());
    return f;
}

std::vector<std::pair<std::string, SafetensorsBuilder>> HfFolder::sampleShards()
{
    SafetensorsBuilder a, b;
    a.tensor("model.embed_tokens.weight", "BF16", {16, 32}, 2)
        .tensor("model.layers.0.input_layernorm.weight", "BF16", {32}, 2)
        .tensor("model.layers.0.self_attn.q_proj.bias", "BF16", {32}, 2);
    b.tensor("model.layers.0.self_attn.q_proj.weight", "BF16", {32, 32}, 2)
        .tensor("model.norm.weight", "BF16", {32}, 2);
    return {{"model-00001-of-00002.safetensors", a}, {"model-00002-of-00002.safetensors", b}};
}

nlohmann::ordered_json HfFolder::indexFor(const std::vector<std::pair<std::string, SafetensorsBuilder>>& shards)
{
    nlohmann::ordered_json wm = nlohmann::ordered_json::object();
    std::uint64_t total = 0;
    for (const auto& [file, st] : shards) {
        for (const auto& n : st.names()) wm[n] = file;
        total += st.buffer().size();
    }
    return {{"metadata", {{"total_size", total}}}, {"weight_map", wm}};
}

HfFolder HfFolder::sharded()
{
    HfFolder f;
    const auto shards = sampleShards();
    for (const auto& [file, st] : shards) f.files.emplace_back(file, st.build());
    f.indexText = indexFor(shards).dump(2);
    return f;
}

void HfFolder::write(const std::filesystem::path& dir) const
{
    std::filesystem::create_directories(dir);
    if (configText) writeFile(dir / "config.json", *configText);
    if (indexText) writeFile(dir / "model.safetensors.index.json", *indexText);
    for (const auto& [name, bytes] : files) writeFile(dir / name, bytes);
}

std::string picklePayload()
{
    // PROTO 2, EMPTY_DICT, STOP: a complete, harmless pickle; real checkpoints start the same way.
    return std::string("\x80\x02}q\x00.", 6);
}

std::string zipPayload()
{
    std::string z("PK\x03\x04", 4);
    z += std::string(26, '\0');
    z += "archive/data.pkl";
    return z;
}

// ---- the catalogue of malformed inputs ----------------------------------------------------

namespace {
namespace fs = std::filesystem;

// ---- builders of the inputs --------------------------------------------------------------------

fs::path put(const fs::path& root, const std::string& name, const std::string& bytes)
{
    writeFile(root / name, bytes);
    return root / name;
}

using GgufMutation = std::function<void(GgufLayout&)>;

// The sample GGUF, mutated, written as model.gguf.
std::function<fs::path(const fs::path&)> gguf(GgufMutation m, std::string name = "model.gguf")
{
    return [m = std::move(m), name = std::move(name)](const fs::path& root) {
        GgufLayout L = sampleGguf().build();
        m(L);
        return put(root, name, L.bytes);
    };
}

// A GGUF made by a custom builder.
std::function<fs::path(const fs::path&)> ggufFrom(std::function<GgufBuilder()> b, GgufMutation m = {})
{
    return [b = std::move(b), m = std::move(m)](const fs::path& root) {
        GgufLayout L = b().build();
        if (m) m(L);
        return put(root, "model.gguf", L.bytes);
    };
}

GgufMutation cutAt(std::function<std::size_t(const GgufLayout&)> at)
{
    return [at = std::move(at)](GgufLayout& L) { L.bytes = truncated(L.bytes, at(L)); };
}

// The sample safetensors with its header edited, written as model.safetensors.
std::function<fs::path(const fs::path&)> safetensors(std::function<void(nlohmann::ordered_json&)> edit)
{
    return [edit = std::move(edit)](const fs::path& root) {
        const SafetensorsBuilder s = sampleSafetensors();
        nlohmann::ordered_json h = s.header();
        edit(h);
        return put(root, "model.safetensors", SafetensorsBuilder::assemble(h.dump(), s.buffer()));
    };
}

std::function<fs::path(const fs::path&)> safetensorsRaw(std::function<std::string()> bytes)
{
    return [bytes = std::move(bytes)](const fs::path& root) { return put(root, "model.safetensors", bytes()); };
}

// A Hugging Face folder "model" (sharded sample unless `single`), edited before writing.
std::function<fs::path(const fs::path&)> folder(std::function<void(HfFolder&)> edit, bool single = false)
{
    return [edit = std::move(edit), single](const fs::path& root) {
        HfFolder f = single ? HfFolder::single() : HfFolder::sharded();
        edit(f);
        f.write(root / "model");
        return root / "model";
    };
}

std::function<void(HfFolder&)> editIndex(std::function<void(nlohmann::ordered_json&)> e)
{
    return [e = std::move(e)](HfFolder& f) {
        auto j = nlohmann::ordered_json::parse(*f.indexText);
        e(j);
        f.indexText = j.dump(2);
    };
}

std::string shardOf(const HfFolder& f, std::size_t i) { return f.files.at(i).second; }

// A single-file folder "model" holding one integer-quantized q_proj (32 x 32, 4 bits, group 32)
// in `method`'s layout (gptq v1 symmetric, awq gemm, compressed-tensors pack-quantized
// symmetric) plus a float norm, edited before writing. The packed values are valid (zero codes,
// scales 1.0, v1 zeros 7 = zero 8) so each case breaks exactly one thing.
struct PackedSample {
    nlohmann::ordered_json config;
    struct Tensor {
        std::string name;
        std::string dtype;
        std::vector<std::uint64_t> shape;
        std::string bytes;
    };
    std::vector<Tensor> tensors;
    Tensor& at(const std::string& suffix)
    {
        for (auto& t : tensors)
            if (t.name.size() >= suffix.size() && t.name.compare(t.name.size() - suffix.size(), suffix.size(), suffix) == 0) return t;
        return tensors.front();
    }
};

std::string words(std::size_t n, std::uint32_t v)
{
    std::string b;
    for (std::size_t i = 0; i < n; ++i) putU32(b, v);
    return b;
}

std::string halves(std::size_t n, std::uint16_t v)
{
    std::string b;
    for (std::size_t i = 0; i < n; ++i) putU16(b, v);
    return b;
}

std::function<fs::path(const fs::path&)> packedFolder(const std::string& method, std::function<void(PackedSample&)> edit = {})
{
    return [method, edit = std::move(edit)](const fs::path& root) {
        PackedSample p;
        p.config = sampleConfig();
        const std::string q = "model.layers.0.self_attn.q_proj.";
        p.tensors.push_back({"model.norm.weight", "F16", {32}, halves(32, 0x3C00)});
        if (method == "gptq") {
            p.config["quantization_config"] = {{"quant_method", "gptq"}, {"bits", 4}, {"group_size", 32}, {"sym", true},
                                               {"desc_act", false}, {"checkpoint_format", "gptq"}};
            p.tensors.push_back({q + "g_idx", "I32", {32}, words(32, 0)});
            p.tensors.push_back({q + "qweight", "I32", {4, 32}, words(4 * 32, 0)});
            p.tensors.push_back({q + "qzeros", "I32", {1, 4}, words(4, 0x77777777u)});
            p.tensors.push_back({q + "scales", "F16", {1, 32}, halves(32, 0x3C00)});
        } else if (method == "awq") {
            p.config["quantization_config"] = {{"quant_method", "awq"}, {"zero_point", true}, {"group_size", 32}, {"bits", 4},
                                               {"version", "gemm"}};
            p.tensors.push_back({q + "qweight", "I32", {32, 4}, words(32 * 4, 0)});
            p.tensors.push_back({q + "qzeros", "I32", {1, 4}, words(4, 0x88888888u)});
            p.tensors.push_back({q + "scales", "F16", {1, 32}, halves(32, 0x3C00)});
        } else {
            nlohmann::ordered_json w = {{"num_bits", 4}, {"type", "int"}, {"symmetric", true}, {"strategy", "group"}, {"group_size", 32}};
            p.config["quantization_config"] = {{"quant_method", "compressed-tensors"}, {"format", "pack-quantized"},
                                               {"config_groups", {{"group_0", {{"targets", {"Linear"}}, {"weights", w}}}}}};
            std::string shape;
            putU64(shape, 32);
            putU64(shape, 32);
            p.tensors.push_back({q + "weight_packed", "I32", {32, 4}, words(32 * 4, 0x88888888u)});
            p.tensors.push_back({q + "weight_scale", "F16", {32, 1}, halves(32, 0x3C00)});
            p.tensors.push_back({q + "weight_shape", "I64", {2}, shape});
        }
        if (edit) edit(p);
        nlohmann::ordered_json h = nlohmann::ordered_json::object();
        std::string buffer;
        for (const auto& t : p.tensors) {
            h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {buffer.size(), buffer.size() + t.bytes.size()}}};
            buffer += t.bytes;
        }
        HfFolder f;
        f.configText = p.config.dump(2);
        f.files.emplace_back("model.safetensors", SafetensorsBuilder::assemble(h.dump(), buffer));
        f.write(root / "model");
        return root / "model";
    };
}

// A GGUF whose only content is one KV holding a string array that claims `count` strings.
} // namespace

GgufBuilder hugeStringArray(std::uint64_t count)
{
    std::string v;
    putU32(v, gguf::kString);
    putU64(v, count);
    putGgufString(v, "x");
    GgufBuilder b;
    b.kvRaw("a", gguf::kArray, v);
    return b;
}

namespace {

std::vector<MalformedCase> buildCatalogue()
{
    constexpr std::uint64_t kNear64 = ~std::uint64_t{0};
    const std::string adviceSafetensors = "convert it to safetensors";
    std::vector<MalformedCase> c;

    // --- GGUF: signature and version
    c.push_back({"gguf_empty_file", [](const fs::path& r) { return put(r, "model.gguf", ""); }, ErrorCode::Truncated});
    c.push_back({"gguf_wrong_magic", gguf([](GgufLayout& L) { pokeU32(L.bytes, 0, 0x4c4d4747u); }), ErrorCode::BadMagic});
    c.push_back({"gguf_safetensors_bytes_named_gguf", [](const fs::path& r) { return put(r, "model.gguf", sampleSafetensors().build()); }, ErrorCode::BadMagic});
    c.push_back({"gguf_version_0", gguf([](GgufLayout& L) { pokeU32(L.bytes, 4, 0); }), ErrorCode::UnsupportedVersion});
    c.push_back({"gguf_version_1", gguf([](GgufLayout& L) { pokeU32(L.bytes, 4, 1); }), ErrorCode::UnsupportedVersion, "", "version 1"});
    c.push_back({"gguf_version_4", gguf([](GgufLayout& L) { pokeU32(L.bytes, 4, 4); }), ErrorCode::UnsupportedVersion, "", "version 4"});
    c.push_back({"gguf_version_byte_swapped", gguf([](GgufLayout& L) { pokeU32(L.bytes, 4, 0x03000000u); }), ErrorCode::UnsupportedVersion, "", "byte-swapped"});
    c.push_back({"gguf_sniffed_without_extension", gguf([](GgufLayout& L) { pokeU32(L.bytes, 4, 4); }, "model"), ErrorCode::UnsupportedVersion});

    // --- GGUF: cut at each section boundary
    c.push_back({"gguf_cut_after_magic", gguf(cutAt([](const GgufLayout&) { return GgufLayout::kAfterMagic; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_version", gguf(cutAt([](const GgufLayout&) { return std::size_t{6}; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_after_version", gguf(cutAt([](const GgufLayout&) { return GgufLayout::kAfterVersion; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_counts", gguf(cutAt([](const GgufLayout&) { return GgufLayout::kAfterTensorCount + 3; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_after_counts", gguf(cutAt([](const GgufLayout&) { return GgufLayout::kAfterKvCount; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_kv_key_length", gguf(cutAt([](const GgufLayout& L) { return L.kvs[0].start + 5; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_kv_key", gguf(cutAt([](const GgufLayout& L) { return L.kvs[0].keyBytes + 3; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_value_type", gguf(cutAt([](const GgufLayout& L) { return L.kvs[2].typeAt + 2; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_scalar_value", gguf(cutAt([](const GgufLayout& L) { return L.kvs[3].valueAt + 3; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_string_value", gguf(cutAt([](const GgufLayout& L) { return L.kvs[1].valueAt + 8 + 2; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_array_header", gguf(cutAt([](const GgufLayout& L) { return L.kvs[13].valueAt + 6; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_array", gguf(cutAt([](const GgufLayout& L) { return L.kvs[13].valueAt + 12 + 5; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_string_array", gguf(cutAt([](const GgufLayout& L) { return L.kvs[15].valueAt + 12 + 13 + 10; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_tensor_name", gguf(cutAt([](const GgufLayout& L) { return L.tensors[0].start + 12; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_tensor_shape", gguf(cutAt([](const GgufLayout& L) { return L.tensors[1].neAt + 3; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_tensor_offset", gguf(cutAt([](const GgufLayout& L) { return L.tensors[2].offsetAt + 4; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_before_data_section", gguf(cutAt([](const GgufLayout& L) { return L.infosEnd; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_at_data_section", gguf(cutAt([](const GgufLayout& L) { return L.dataStart; })), ErrorCode::Truncated});
    c.push_back({"gguf_cut_inside_data", gguf(cutAt([](const GgufLayout& L) { return L.tensors[1].dataAt + 50; })), ErrorCode::Truncated, "", "blk.0.attn_norm.weight"});

    // --- GGUF: hostile counts and lengths
    c.push_back({"gguf_kv_count_2^62", ggufFrom([] { auto b = sampleGguf(); b.kvCountOverride = std::uint64_t{1} << 62; return b; }), ErrorCode::OutOfRange});
    c.push_back({"gguf_tensor_count_2^62", ggufFrom([] { auto b = sampleGguf(); b.tensorCountOverride = std::uint64_t{1} << 62; return b; }), ErrorCode::OutOfRange});
    c.push_back({"gguf_key_length_near_2^64", gguf([=](GgufLayout& L) { pokeU64(L.bytes, L.kvs[0].start, kNear64); }), ErrorCode::OutOfRange});
    c.push_back({"gguf_string_length_near_2^64", gguf([=](GgufLayout& L) { pokeU64(L.bytes, L.kvs[1].valueAt, kNear64 - 7); }), ErrorCode::OutOfRange});
    c.push_back({"gguf_array_length_near_2^64", gguf([=](GgufLayout& L) { pokeU64(L.bytes, L.kvs[13].valueAt + 4, kNear64 - 15); }), ErrorCode::OutOfRange});
    c.push_back({"gguf_string_array_2^62_in_small_file", ggufFrom([] { return hugeStringArray(std::uint64_t{1} << 62); }), ErrorCode::OutOfRange});
    c.push_back({"gguf_string_array_2^40_in_small_file", ggufFrom([] { return hugeStringArray(std::uint64_t{1} << 40); }), ErrorCode::OutOfRange});
    c.push_back({"gguf_invalid_value_type", gguf([](GgufLayout& L) { pokeU32(L.bytes, L.kvs[2].typeAt, 13); }), ErrorCode::UnsupportedType, "", "llama.block_count"});
    c.push_back({"gguf_invalid_array_element_type", gguf([](GgufLayout& L) { pokeU32(L.bytes, L.kvs[13].valueAt, 200); }), ErrorCode::UnsupportedType});
    c.push_back({"gguf_nested_array", gguf([](GgufLayout& L) { pokeU32(L.bytes, L.kvs[13].valueAt, gguf::kArray); }), ErrorCode::UnsupportedType, "", "nested"});
    c.push_back({"gguf_empty_key", ggufFrom([] { GgufBuilder b; b.kvU32("", 1); return b; }), ErrorCode::Malformed});
    c.push_back({"gguf_duplicate_key", ggufFrom([] { auto b = sampleGguf(); b.kvU32("llama.block_count", 2); return b; }), ErrorCode::Malformed, "", "llama.block_count"});
    c.push_back({"gguf_duplicate_tensor_name", ggufFrom([] { auto b = sampleGguf(); b.tensor("token_embd.weight", {32}, ggml::kF32, 128); return b; }), ErrorCode::Malformed, "", "token_embd.weight"});
    c.push_back({"gguf_duplicate_name_with_newline", ggufFrom([] {
                     GgufBuilder b;
                     b.tensor("evil\nname\r\x1b[2J", {32}, ggml::kF32, 128).tensor("evil\nname\r\x1b[2J", {32}, ggml::kF32, 128);
                     return b;
                 }), ErrorCode::Malformed, "", "evil\\x0aname"});
    c.push_back({"gguf_tensor_name_64_bytes", ggufFrom([] { GgufBuilder b; b.tensor(std::string(64, 'n'), {32}, ggml::kF32, 128); return b; }), ErrorCode::Malformed});
    c.push_back({"gguf_alignment_not_power_of_two", ggufFrom([] { auto b = sampleGguf(); b.kvU32("general.alignment", 48); return b; }), ErrorCode::Malformed, "", "general.alignment"});
    c.push_back({"gguf_alignment_zero", ggufFrom([] { auto b = sampleGguf(); b.kvU32("general.alignment", 0); return b; }), ErrorCode::Malformed});
    c.push_back({"gguf_alignment_not_u32", ggufFrom([] { auto b = sampleGguf(); b.kvU64("general.alignment", 32); return b; }), ErrorCode::Malformed});

    // --- GGUF: tensor infos
    c.push_back({"gguf_n_dims_0", ggufFrom([] { GgufBuilder b; b.tensor("t", {}, ggml::kF32, 4); return b; }), ErrorCode::Malformed});
    c.push_back({"gguf_n_dims_5", ggufFrom([] { GgufBuilder b; b.tensor("t", {32, 1, 1, 1, 1}, ggml::kF32, 128); return b; }), ErrorCode::Malformed});
    c.push_back({"gguf_negative_dimension", ggufFrom([] { GgufBuilder b; b.tensor("t", {32, std::uint64_t{1} << 63}, ggml::kF32, 128); return b; }), ErrorCode::Malformed});
    c.push_back({"gguf_shape_product_overflows", ggufFrom([] { GgufBuilder b; b.tensor("t", {std::uint64_t{1} << 32, std::uint64_t{1} << 32}, ggml::kF32, 128); return b; }), ErrorCode::Overflow});
    c.push_back({"gguf_byte_size_overflows", ggufFrom([] { GgufBuilder b; b.tensor("t", {std::uint64_t{1} << 31, std::uint64_t{1} << 31}, ggml::kF32, 128); return b; }), ErrorCode::Overflow});
    c.push_back({"gguf_unknown_ggml_type_4", gguf([](GgufLayout& L) { pokeU32(L.bytes, L.tensors[1].typeAt, 4); }), ErrorCode::UnsupportedType, "", "ggml type 4"});
    c.push_back({"gguf_unknown_ggml_type_43", gguf([](GgufLayout& L) { pokeU32(L.bytes, L.tensors[1].typeAt, 43); }), ErrorCode::UnsupportedType});
    c.push_back({"gguf_safetensors_only_type_id_1000", gguf([](GgufLayout& L) { pokeU32(L.bytes, L.tensors[1].typeAt, 1000); }), ErrorCode::UnsupportedType});
    c.push_back({"gguf_row_not_multiple_of_block", ggufFrom([] { GgufBuilder b; b.tensor("q", {33, 2}, ggml::kQ8_0, 68); return b; }), ErrorCode::Malformed});
    c.push_back({"gguf_misaligned_offset", gguf([](GgufLayout& L) { pokeU64(L.bytes, L.tensors[1].offsetAt, 256 + 8); }), ErrorCode::Malformed, "", "aligned"});
    c.push_back({"gguf_offset_out_of_range", gguf([](GgufLayout& L) { pokeU64(L.bytes, L.tensors[1].offsetAt, std::uint64_t{1} << 40); }), ErrorCode::OutOfRange});
    c.push_back({"gguf_offset_plus_size_wraps", gguf([=](GgufLayout& L) { pokeU64(L.bytes, L.tensors[1].offsetAt, kNear64 - 31); }), ErrorCode::OutOfRange});
    c.push_back({"gguf_overlapping_tensors", gguf([](GgufLayout& L) { pokeU64(L.bytes, L.tensors[2].offsetAt, 128); }), ErrorCode::Malformed, "", "overlap"});

    // --- safetensors
    c.push_back({"st_empty_file", safetensorsRaw([] { return std::string(); }), ErrorCode::Truncated});
    c.push_back({"st_cut_inside_length", safetensorsRaw([] { return truncated(sampleSafetensors().build(), 5); }), ErrorCode::Truncated});
    c.push_back({"st_cut_inside_header", safetensorsRaw([] { return truncated(sampleSafetensors().build(), 8 + 40); }), ErrorCode::Truncated});
    c.push_back({"st_cut_inside_data", safetensorsRaw([] { const auto b = sampleSafetensors().build(); return truncated(b, b.size() - 10); }), ErrorCode::Truncated, "", "lm_head.weight"});
    c.push_back({"st_header_length_beyond_file", safetensorsRaw([] {
                     const auto s = sampleSafetensors();
                     const std::string h = s.header().dump();
                     return SafetensorsBuilder::assembleWithLength(8 + h.size() + s.buffer().size(), h, s.buffer());
                 }), ErrorCode::Truncated});
    c.push_back({"st_header_length_2^40", safetensorsRaw([] { const auto s = sampleSafetensors(); return SafetensorsBuilder::assembleWithLength(std::uint64_t{1} << 40, s.header().dump(), s.buffer()); }), ErrorCode::OutOfRange});
    c.push_back({"st_header_length_near_2^64", safetensorsRaw([=] { const auto s = sampleSafetensors(); return SafetensorsBuilder::assembleWithLength(kNear64, s.header().dump(), s.buffer()); }), ErrorCode::OutOfRange});
    c.push_back({"st_header_length_zero", safetensorsRaw([] { return SafetensorsBuilder::assembleWithLength(0, "", "{}"); }), ErrorCode::Malformed});
    c.push_back({"st_invalid_json", safetensorsRaw([] { return SafetensorsBuilder::assemble("{\"a\": {\"dtype\": \"F16\",, }", ""); }), ErrorCode::Malformed, "", "invalid JSON"});
    c.push_back({"st_invalid_utf8_in_header", safetensorsRaw([] {
                     return SafetensorsBuilder::assemble("{\"bad\xff\xfe\": {\"dtype\": \"U8\", \"shape\": [1], \"data_offsets\": [0, 1]}}", "x");
                 }), ErrorCode::Malformed});
    c.push_back({"st_header_not_an_object", safetensorsRaw([] { return SafetensorsBuilder::assemble("[1, 2, 3]", ""); }), ErrorCode::Malformed});
    c.push_back({"st_duplicate_tensor_name", safetensorsRaw([] {
                     return SafetensorsBuilder::assemble(
                         "{\"t\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [0, 2]},"
                         " \"t\": {\"dtype\": \"U8\", \"shape\": [2], \"data_offsets\": [2, 4]}}", "abcd");
                 }), ErrorCode::Malformed, "", "duplicate"});
    c.push_back({"st_unknown_dtype", safetensors([](nlohmann::ordered_json& h) { h["model.norm.weight"]["dtype"] = "F17"; }), ErrorCode::UnsupportedType, "", "F17"});
    c.push_back({"st_dtype_not_a_string", safetensors([](nlohmann::ordered_json& h) { h["model.norm.weight"]["dtype"] = 16; }), ErrorCode::Malformed});
    c.push_back({"st_missing_data_offsets", safetensors([](nlohmann::ordered_json& h) { h["model.norm.weight"].erase("data_offsets"); }), ErrorCode::Malformed});
    c.push_back({"st_negative_dimension", safetensors([](nlohmann::ordered_json& h) { h["model.norm.weight"]["shape"] = {-1, 32}; }), ErrorCode::Malformed});
    c.push_back({"st_shape_product_overflows", safetensors([](nlohmann::ordered_json& h) {
                     h["model.norm.weight"]["shape"] = {std::uint64_t{1} << 32, std::uint64_t{1} << 32, 16};
                 }), ErrorCode::Overflow});
    c.push_back({"st_byte_size_overflows", safetensors([](nlohmann::ordered_json& h) { h["model.norm.weight"]["shape"] = {std::uint64_t{1} << 62, 2}; }), ErrorCode::Overflow});
    c.push_back({"st_offsets_not_matching_shape", safetensors([](nlohmann::ordered_json& h) {
                     auto& o = h["model.norm.weight"]["data_offsets"];
                     o[1] = o[1].get<std::uint64_t>() - 2;
                 }), ErrorCode::Malformed, "", "model.norm.weight"});
    c.push_back({"st_end_before_begin", safetensors([](nlohmann::ordered_json& h) {
                     auto& o = h["model.norm.weight"]["data_offsets"];
                     const auto b = o[0].get<std::uint64_t>();
                     o[0] = o[1];
                     o[1] = b;
                 }), ErrorCode::Malformed});
    c.push_back({"st_offsets_out_of_range", safetensors([](nlohmann::ordered_json& h) {
                     const std::uint64_t far = std::uint64_t{1} << 40;
                     h["model.norm.weight"]["data_offsets"] = {far, far + 64};
                 }), ErrorCode::OutOfRange});
    c.push_back({"st_overlapping_tensors", safetensors([](nlohmann::ordered_json& h) {
                     h["model.norm.weight"]["data_offsets"] = h["model.layers.0.input_layernorm.weight"]["data_offsets"];
                 }), ErrorCode::Malformed, "", "overlap"});
    c.push_back({"st_metadata_value_not_string", safetensors([](nlohmann::ordered_json& h) { h["__metadata__"]["format"] = 1; }), ErrorCode::Malformed});

    // --- pickles and things that are not models
    c.push_back({"pickle_bin", [](const fs::path& r) { return put(r, "pytorch_model.bin", picklePayload()); }, ErrorCode::PickleRefused, "", adviceSafetensors});
    c.push_back({"pickle_pt", [](const fs::path& r) { return put(r, "model.pt", zipPayload()); }, ErrorCode::PickleRefused, "", adviceSafetensors});
    c.push_back({"pickle_pth", [](const fs::path& r) { return put(r, "weights.pth", picklePayload()); }, ErrorCode::PickleRefused, "", adviceSafetensors});
    c.push_back({"zip_magic_without_extension", [](const fs::path& r) { return put(r, "checkpoint", zipPayload()); }, ErrorCode::PickleRefused, "", adviceSafetensors});
    c.push_back({"pickle_magic_without_extension", [](const fs::path& r) { return put(r, "checkpoint", picklePayload()); }, ErrorCode::PickleRefused, "", adviceSafetensors});
    c.push_back({"folder_with_only_a_pickle", [](const fs::path& r) {
                     HfFolder f;
                     f.files.emplace_back("pytorch_model.bin", picklePayload());
                     f.write(r / "model");
                     return r / "model";
                 }, ErrorCode::PickleRefused, "model/pytorch_model.bin", adviceSafetensors});
    c.push_back({"empty_file_without_extension", [](const fs::path& r) { return put(r, "weights", ""); }, ErrorCode::UnsupportedFormat});
    c.push_back({"text_file", [](const fs::path& r) { return put(r, "notes.txt", "just some notes\n"); }, ErrorCode::UnsupportedFormat});
    c.push_back({"missing_path", [](const fs::path& r) { return r / "does-not-exist.gguf"; }, ErrorCode::NotFound});
    c.push_back({"empty_folder", [](const fs::path& r) { fs::create_directories(r / "model"); return r / "model"; }, ErrorCode::UnsupportedFormat});
    c.push_back({"folder_with_config_but_no_weights", folder([](HfFolder& f) { f.files.clear(); f.indexText.reset(); }), ErrorCode::UnsupportedFormat});

    // --- Hugging Face folders: config
    c.push_back({"config_not_json", folder([](HfFolder& f) { f.configText = "{\"architectures\": [\"LlamaForCausalLM\"],"; }), ErrorCode::Malformed, "model/config.json", "invalid JSON"});
    c.push_back({"config_20_MB", folder([](HfFolder& f) {
                     auto j = sampleConfig();
                     j["padding"] = std::string(20u << 20, 'x');
                     f.configText = j.dump();
                 }), ErrorCode::OutOfRange, "model/config.json"});
    c.push_back({"config_lacks_dimensions", folder([](HfFolder& f) { auto j = sampleConfig(); j.erase("hidden_size"); f.configText = j.dump(); }), ErrorCode::Malformed, "model/config.json"});
    c.push_back({"config_heads_not_multiple_of_kv_heads", folder([](HfFolder& f) { auto j = sampleConfig(); j["num_key_value_heads"] = 3; f.configText = j.dump(); }), ErrorCode::Malformed, "model/config.json"});
    c.push_back({"safetensors_file_beside_broken_config", [](const fs::path& r) {
                     HfFolder f = HfFolder::single();
                     f.configText = "not json";
                     f.write(r / "model");
                     return r / "model" / "model.safetensors";
                 }, ErrorCode::Malformed, "model/config.json"});

    // --- Hugging Face folders: sharded index and shards
    const std::string index = "model/model.safetensors.index.json";
    c.push_back({"index_not_json", folder([](HfFolder& f) { f.indexText = "{\"weight_map\": "; }), ErrorCode::Malformed, index});
    c.push_back({"index_without_weight_map", folder([](HfFolder& f) { f.indexText = "{\"metadata\": {}}"; }), ErrorCode::Malformed, index});
    c.push_back({"index_names_missing_shard", folder(editIndex([](nlohmann::ordered_json& j) { j["weight_map"]["model.norm.weight"] = "model-00003-of-00003.safetensors"; })),
                 ErrorCode::NotFound, "model/model-00003-of-00003.safetensors"});
    c.push_back({"index_names_tensor_no_shard_has", folder(editIndex([](nlohmann::ordered_json& j) { j["weight_map"]["model.layers.0.mlp.up_proj.weight"] = "model-00001-of-00002.safetensors"; })),
                 ErrorCode::MissingTensor, index, "model.layers.0.mlp.up_proj.weight"});
    c.push_back({"index_places_tensor_in_wrong_shard", folder(editIndex([](nlohmann::ordered_json& j) { j["weight_map"]["model.norm.weight"] = "model-00001-of-00002.safetensors"; })),
                 ErrorCode::Malformed, index});
    c.push_back({"index_shard_name_with_dotdot", folder(editIndex([](nlohmann::ordered_json& j) { j["weight_map"]["model.norm.weight"] = "../model-00002-of-00002.safetensors"; })),
                 ErrorCode::Malformed, index, "plain file name"});
    c.push_back({"index_shard_absolute_path", folder(editIndex([](nlohmann::ordered_json& j) { j["weight_map"]["model.norm.weight"] = "/etc/passwd"; })), ErrorCode::Malformed, index});
    c.push_back({"index_empty_weight_map", folder([](HfFolder& f) { f.indexText = "{\"weight_map\": {}}"; }), ErrorCode::Malformed, index});
    c.push_back({"shard_truncated", folder([](HfFolder& f) { f.files[1].second = truncated(shardOf(f, 1), shardOf(f, 1).size() - 3); }),
                 ErrorCode::Truncated, "model/model-00002-of-00002.safetensors"});
    c.push_back({"shard_with_bad_dtype", folder([](HfFolder& f) {
                     auto shards = HfFolder::sampleShards();
                     auto h = shards[0].second.header();
                     h["model.embed_tokens.weight"]["dtype"] = "Q4";
                     f.files[0].second = SafetensorsBuilder::assemble(h.dump(), shards[0].second.buffer());
                 }), ErrorCode::UnsupportedType, "model/model-00001-of-00002.safetensors"});
    c.push_back({"tensor_in_two_shards", folder([](HfFolder& f) {
                     auto shards = HfFolder::sampleShards();
                     shards[1].second.tensor("model.embed_tokens.weight", "BF16", {16, 32}, 2);
                     f.files[1].second = shards[1].second.build();
                 }), ErrorCode::Malformed, "model/model-00002-of-00002.safetensors"});
    c.push_back({"single_file_folder_truncated", folder([](HfFolder& f) { f.files[0].second = truncated(shardOf(f, 0), 100); }, true),
                 ErrorCode::Truncated, "model/model.safetensors"});

    // --- Hugging Face integer-quantized folders (GPTQ, AWQ GEMM, compressed-tensors)
    const std::string st = "model/model.safetensors";
    const std::string cfg = "model/config.json";
    c.push_back({"gptq_qweight_rows_do_not_match_bits", packedFolder("gptq", [](PackedSample& p) {
                     p.at(".qweight").shape = {5, 32};
                     p.at(".qweight").bytes = words(5 * 32, 0);
                 }), ErrorCode::Malformed, st, "q_proj.qweight"});
    c.push_back({"gptq_g_idx_beyond_groups", packedFolder("gptq", [](PackedSample& p) { pokeU32(p.at(".g_idx").bytes, 12, 7); }),
                 ErrorCode::Malformed, st, "q_proj.g_idx"});
    c.push_back({"gptq_g_idx_negative", packedFolder("gptq", [](PackedSample& p) { pokeU32(p.at(".g_idx").bytes, 0, 0xFFFFFFFFu); }),
                 ErrorCode::Malformed, st, "q_proj.g_idx"});
    c.push_back({"gptq_qzeros_of_another_group_count", packedFolder("gptq", [](PackedSample& p) {
                     p.at(".qzeros").shape = {2, 4};
                     p.at(".qzeros").bytes = words(8, 0x77777777u);
                 }), ErrorCode::Malformed, st, "q_proj.qzeros"});
    c.push_back({"gptq_scales_of_another_out_features", packedFolder("gptq", [](PackedSample& p) {
                     p.at(".scales").shape = {1, 64};
                     p.at(".scales").bytes = halves(64, 0x3C00);
                 }),
                 ErrorCode::Malformed, st, "q_proj.qweight"});
    c.push_back({"gptq_scale_infinite", packedFolder("gptq", [](PackedSample& p) { p.at(".scales").bytes[5] = '\x7c'; }),
                 ErrorCode::Malformed, st, "q_proj.scales"});
    c.push_back({"gptq_v1_zero_of_sixteen", packedFolder("gptq", [](PackedSample& p) { pokeU32(p.at(".qzeros").bytes, 0, 0x7777777Fu); }),
                 ErrorCode::Malformed, st, "q_proj.qzeros"});
    c.push_back({"gptq_packed_without_qweight", packedFolder("gptq", [](PackedSample& p) {
                     std::erase_if(p.tensors, [](const PackedSample::Tensor& t) { return t.name.find(".qweight") != std::string::npos; });
                 }), ErrorCode::MissingTensor, st, "q_proj.qweight"});
    c.push_back({"gptq_5_bits", packedFolder("gptq", [](PackedSample& p) { p.config["quantization_config"]["bits"] = 5; }),
                 ErrorCode::UnsupportedFormat, cfg, "5 bits"});
    c.push_back({"quantization_method_unsupported", packedFolder("gptq", [](PackedSample& p) {
                     p.config["quantization_config"]["quant_method"] = "bitsandbytes";
                 }), ErrorCode::UnsupportedFormat, cfg, "bitsandbytes"});
    c.push_back({"awq_group_does_not_divide_in_features", packedFolder("awq", [](PackedSample& p) {
                     p.config["quantization_config"]["group_size"] = 24;
                 }), ErrorCode::Malformed, st, "q_proj.qweight"});
    c.push_back({"awq_gemv_layout", packedFolder("awq", [](PackedSample& p) { p.config["quantization_config"]["version"] = "gemv"; }),
                 ErrorCode::UnsupportedFormat, cfg, "gemv"});
    c.push_back({"compressed_tensors_shape_disagrees_with_packed", packedFolder("ct", [](PackedSample& p) {
                     pokeU64(p.at(".weight_shape").bytes, 8, 40);
                 }), ErrorCode::Malformed, st, "q_proj.weight_packed"});
    c.push_back({"compressed_tensors_negative_dimension", packedFolder("ct", [](PackedSample& p) {
                     pokeU64(p.at(".weight_shape").bytes, 0, ~std::uint64_t{0});
                 }), ErrorCode::Malformed, st, "q_proj.weight_shape"});
    c.push_back({"compressed_tensors_huge_dimension", packedFolder("ct", [](PackedSample& p) {
                     pokeU64(p.at(".weight_shape").bytes, 0, std::uint64_t{1} << 40);
                 }), ErrorCode::Malformed, st, "q_proj.weight_shape"});
    return c;
}

} // namespace

const std::vector<MalformedCase>& malformedCases()
{
    static const std::vector<MalformedCase> c = buildCatalogue();
    return c;
}

std::ostream& operator<<(std::ostream& os, const MalformedCase& c) { return os << c.name; }

} // namespace condense::test
