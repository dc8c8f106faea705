// GgufFile against the llama.cpp-made reference GGUFs in ../shared/models: the F16 file
// against the listing gguf-py produced (tiny-llama-spm-F16.gguf.json), the llama-quantize
// outputs against the F16 tensor list, the ggml block geometry and the file sizes.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "core/io/gguf_file.h"
#include "core/io/safetensors_file.h"
#include "tests/support/malformed.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

using json = nlohmann::ordered_json; // keeps gguf-py's key order (the file order)

json referenceListing()
{
    return json::parse(readFile(tinyLlamaDir() / "reference-gguf" / "tiny-llama-spm-F16.gguf.json"));
}

std::shared_ptr<const io::GgufFile> openRef(const char* type)
{
    auto g = io::GgufFile::open(referenceGguf(type));
    EXPECT_TRUE(g.ok()) << (g.ok() ? "" : describe(g.error()));
    return g.ok() ? *g : nullptr;
}

// Block geometry written out from ggml-common.h (QK8_0 = 32, sizeof(block_q8_0) = 2 + 32, ...),
// independently of core's dtype table.
struct Geometry {
    std::uint64_t block;
    std::uint64_t bytes;
};
const std::map<std::string, Geometry> kGeometry = {
    {"F32", {1, 4}}, {"F16", {1, 2}}, {"Q8_0", {32, 34}}, {"Q4_0", {32, 18}}, {"Q4_K", {256, 144}}, {"Q6_K", {256, 210}},
};

std::uint64_t expectedBytes(const io::GgufTensorInfo& t)
{
    const auto& g = kGeometry.at(std::string(dtypeName(t.type)));
    std::uint64_t n = 1;
    for (std::uint32_t d = 0; d < t.nDims; ++d) n *= t.ne[d];
    EXPECT_EQ(t.ne[0] % g.block, 0u) << t.name;
    return n / g.block * g.bytes;
}

// llama.cpp lays the data section out densely: each tensor at the previous one's end rounded up
// to the alignment, and the file ends after the last tensor's padding.
void expectDenseLayout(const io::GgufFile& g)
{
    const std::uint64_t a = g.alignment();
    std::vector<const io::GgufTensorInfo*> order;
    for (const auto& t : g.tensors()) order.push_back(&t);
    std::sort(order.begin(), order.end(), [](auto* x, auto* y) { return x->offset < y->offset; });
    std::uint64_t next = 0;
    for (const auto* t : order) {
        EXPECT_EQ(t->offset, next) << t->name;
        EXPECT_EQ(t->bytes, expectedBytes(*t)) << t->name;
        next = (t->offset + t->bytes + a - 1) / a * a;
    }
    EXPECT_EQ(g.dataOffset() % a, 0u);
    EXPECT_EQ(g.dataOffset() + next, g.fileSize());
}

TEST(GgufFile, F16MatchesGgufPyListing)
{
    const json ref = referenceListing();
    auto g = openRef("F16");
    ASSERT_TRUE(g);
    const json& md = ref["metadata"];
    EXPECT_EQ(g->fileSize(), ref["bytes"].get<std::uint64_t>());
    EXPECT_EQ(g->version(), md["GGUF.version"].get<std::uint32_t>());
    EXPECT_EQ(g->tensors().size(), md["GGUF.tensor_count"].get<std::size_t>());
    EXPECT_EQ(g->tensors().size(), 57u);
    EXPECT_EQ(g->metadata().size(), md["GGUF.kv_count"].get<std::size_t>());

    // Every metadata value, in file order.
    std::vector<std::string> refKeys;
    for (auto it = md.begin(); it != md.end(); ++it)
        if (it.key().rfind("GGUF.", 0) != 0) refKeys.push_back(it.key());
    std::vector<std::string> keys;
    for (const auto& kv : g->metadata()) keys.push_back(kv.key);
    EXPECT_EQ(keys, refKeys);

    for (auto it = md.begin(); it != md.end(); ++it) {
        const std::string& k = it.key();
        if (k.rfind("GGUF.", 0) == 0) continue;
        const io::GgufValue* v = g->find(k);
        ASSERT_NE(v, nullptr) << k;
        const json& want = it.value();
        SCOPED_TRACE(k);
        if (want.is_object()) { // array: {"array_len", "first": [...]}
            ASSERT_TRUE(v->isArray());
            EXPECT_EQ(v->size(), want["array_len"].get<std::uint64_t>());
            const json& first = want["first"];
            for (std::size_t i = 0; i < first.size(); ++i) {
                if (first[i].is_string()) {
                    ASSERT_EQ(v->elementType(), io::GgufType::String);
                    EXPECT_EQ(v->strings().at(i), first[i].get<std::string>());
                } else if (first[i].is_number_float()) {
                    EXPECT_EQ(v->floatAt(i).value(), first[i].get<double>());
                } else {
                    EXPECT_EQ(v->intAt(i).value(), first[i].get<std::int64_t>());
                }
            }
        } else if (want.is_string()) {
            ASSERT_NE(v->asString(), nullptr);
            EXPECT_EQ(*v->asString(), want.get<std::string>());
        } else if (want.is_boolean()) {
            EXPECT_EQ(v->asBool(), std::optional<bool>(want.get<bool>()));
        } else if (want.is_number_float()) {
            // gguf-py printed the stored f32 widened to double: exact.
            EXPECT_EQ(v->asFloat().value(), want.get<double>());
        } else {
            EXPECT_EQ(v->asInt().value(), want.get<std::int64_t>());
        }
    }

    // Every tensor: name, shape (ggml order) and type, in file order.
    const json& tensors = ref["tensors"];
    ASSERT_EQ(tensors.size(), g->tensors().size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = g->tensors()[i];
        SCOPED_TRACE(t.name);
        EXPECT_EQ(t.name, tensors[i]["name"].get<std::string>());
        EXPECT_EQ(std::string(dtypeName(t.type)), tensors[i]["type"].get<std::string>());
        const auto shape = tensors[i]["shape"].get<std::vector<std::uint64_t>>();
        ASSERT_EQ(t.nDims, shape.size());
        for (std::size_t d = 0; d < shape.size(); ++d) EXPECT_EQ(t.ne[d], shape[d]);
    }
    expectDenseLayout(*g);
}

// The README says the converter kept these tensors byte-identical to model.safetensors: the
// lazily mapped bytes of both readers must agree.
TEST(GgufFile, TensorBytesMatchSafetensors)
{
    auto g = openRef("F16");
    ASSERT_TRUE(g);
    auto st = io::SafetensorsFile::open(tinyLlamaDir() / "model.safetensors");
    ASSERT_TRUE(st.ok()) << describe(st.error());
    const std::map<std::string, std::string> same = {
        {"token_embd.weight", "model.embed_tokens.weight"},
        {"output.weight", "lm_head.weight"},
        {"blk.0.ffn_down.weight", "model.layers.0.mlp.down_proj.weight"},
        {"blk.3.ffn_gate.weight", "model.layers.3.mlp.gate_proj.weight"},
        {"blk.5.ffn_up.weight", "model.layers.5.mlp.up_proj.weight"},
        {"blk.2.attn_v.weight", "model.layers.2.self_attn.v_proj.weight"},
    };
    for (const auto& [gname, sname] : same) {
        const auto gi = g->findTensor(gname);
        ASSERT_GE(gi, 0) << gname;
        std::size_t si = SIZE_MAX;
        for (std::size_t i = 0; i < (*st)->tensors().size(); ++i)
            if ((*st)->tensors()[i].name == sname) si = i;
        ASSERT_NE(si, SIZE_MAX) << sname;
        const auto a = g->tensorData(static_cast<std::size_t>(gi));
        const auto b = (*st)->tensorData(si);
        ASSERT_EQ(a.size(), b.size()) << gname;
        EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0) << gname;
    }
}

std::map<std::string, std::string> f16Types()
{
    std::map<std::string, std::string> m;
    const json ref = referenceListing();
    for (const auto& t : ref["tensors"]) m[t["name"].get<std::string>()] = t["type"].get<std::string>();
    return m;
}

// llama-quantize keeps F32 tensors (norms) as they are, quantizes the rest to the target type,
// and gives output.weight Q6_K for every target but Q8_0 (llama.cpp src/llama-quant.cpp,
// llama_tensor_get_type).
void expectQuantized(const char* file, const std::string& target)
{
    auto g = openRef(file);
    ASSERT_TRUE(g);
    const auto f16 = f16Types();
    ASSERT_EQ(g->tensors().size(), f16.size());
    std::map<std::string, int> counts;
    for (const auto& t : g->tensors()) {
        const std::string type(dtypeName(t.type));
        ++counts[type];
        std::string want = f16.at(t.name) == "F32" ? "F32" : target;
        if (t.name == "output.weight" && target != "Q8_0") want = "Q6_K";
        EXPECT_EQ(type, want) << t.name;
    }
    int nonF32 = 0;
    for (const auto& [n, t] : f16) nonF32 += t != "F32";
    EXPECT_EQ(counts["F32"], 57 - nonF32);
    expectDenseLayout(*g);
    // Quantization leaves F32 tensors byte for byte alone.
    auto ref = openRef("F16");
    ASSERT_TRUE(ref);
    const auto i = g->findTensor("blk.4.ffn_norm.weight");
    const auto j = ref->findTensor("blk.4.ffn_norm.weight");
    ASSERT_GE(i, 0);
    ASSERT_GE(j, 0);
    const auto a = g->tensorData(static_cast<std::size_t>(i));
    const auto b = ref->tensorData(static_cast<std::size_t>(j));
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0);
}

TEST(GgufFile, Q8_0Types) { expectQuantized("Q8_0", "Q8_0"); }
TEST(GgufFile, Q4_0Types) { expectQuantized("Q4_0", "Q4_0"); }

void expectQ4KM(const char* file)
{
    auto g = openRef(file);
    ASSERT_TRUE(g);
    EXPECT_EQ(g->tensors().size(), 57u);
    std::set<std::string> types;
    for (const auto& t : g->tensors()) types.insert(std::string(dtypeName(t.type)));
    EXPECT_EQ(types, (std::set<std::string>{"F32", "Q4_K", "Q6_K"}));
    EXPECT_EQ(g->getUInt("general.file_type"), std::optional<std::uint64_t>(15)); // LLAMA_FTYPE_MOSTLY_Q4_K_M
    expectDenseLayout(*g);
}

TEST(GgufFile, Q4_K_MTypesAndSizes) { expectQ4KM("Q4_K_M"); }
TEST(GgufFile, Q4_K_MImatrixTypesAndSizes) { expectQ4KM("Q4_K_M-imat"); }

TEST(GgufFile, ImatrixOpens)
{
    auto g = openRef("imatrix");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->getString("general.type"), std::optional<std::string>("imatrix"));
    EXPECT_FALSE(g->getString("general.architecture").has_value());
    ASSERT_FALSE(g->tensors().empty());
    // llama-imatrix stores, per weight matrix, the summed squared activations (one per input
    // column) and a count: <name>.in_sum2 and <name>.counts, all F32.
    std::size_t sums = 0;
    for (const auto& t : g->tensors()) {
        EXPECT_EQ(t.type, DType::F32) << t.name;
        if (t.name.size() > 8 && t.name.compare(t.name.size() - 8, 8, ".in_sum2") == 0) {
            ++sums;
            const std::string base = t.name.substr(0, t.name.size() - 8);
            EXPECT_GE(g->findTensor(base + ".counts"), 0) << base;
        }
    }
    EXPECT_EQ(sums * 2, g->tensors().size());
    expectDenseLayout(*g);
}

TEST(GgufFile, LookupHelpers)
{
    auto g = openRef("F16");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->getUInt("llama.block_count"), std::optional<std::uint64_t>(6));
    EXPECT_EQ(g->getString("tokenizer.ggml.model"), std::optional<std::string>("llama"));
    EXPECT_EQ(g->getBool("tokenizer.ggml.add_bos_token"), std::optional<bool>(true));
    EXPECT_FALSE(g->getUInt("no.such.key").has_value());
    EXPECT_FALSE(g->getString("llama.block_count").has_value()); // wrong kind
    EXPECT_EQ(g->findTensor("no.such.tensor"), -1);
    EXPECT_EQ(g->alignment(), 32u);
}

// Every ggml type id with its block geometry, as ggml itself reports them (ggml_type_name,
// ggml_blck_size, ggml_type_size from libggml-base at llama.cpp 34af94cd): a GGUF holding one
// tensor of each type opens, and each tensor has exactly rows * row_bytes bytes.
struct GgmlType {
    std::uint32_t id;
    const char* name;
    std::uint64_t block;
    std::uint64_t bytes;
};
constexpr GgmlType kGgmlTypes[] = {
    {0, "f32", 1, 4}, {1, "f16", 1, 2}, {2, "q4_0", 32, 18}, {3, "q4_1", 32, 20},
    {6, "q5_0", 32, 22}, {7, "q5_1", 32, 24}, {8, "q8_0", 32, 34}, {9, "q8_1", 32, 36},
    {10, "q2_K", 256, 84}, {11, "q3_K", 256, 110}, {12, "q4_K", 256, 144}, {13, "q5_K", 256, 176},
    {14, "q6_K", 256, 210}, {15, "q8_K", 256, 292}, {16, "iq2_xxs", 256, 66}, {17, "iq2_xs", 256, 74},
    {18, "iq3_xxs", 256, 98}, {19, "iq1_s", 256, 50}, {20, "iq4_nl", 32, 18}, {21, "iq3_s", 256, 110},
    {22, "iq2_s", 256, 82}, {23, "iq4_xs", 256, 136}, {24, "i8", 1, 1}, {25, "i16", 1, 2},
    {26, "i32", 1, 4}, {27, "i64", 1, 8}, {28, "f64", 1, 8}, {29, "iq1_m", 256, 56},
    {30, "bf16", 1, 2}, {34, "tq1_0", 256, 54}, {35, "tq2_0", 256, 66}, {39, "mxfp4", 32, 17},
    {40, "nvfp4", 64, 36}, {41, "q1_0", 128, 18}, {42, "q2_0", 64, 18},
};

TEST(GgufFile, EveryGgmlTypeWithItsBlockSize)
{
    GgufBuilder b;
    for (const auto& t : kGgmlTypes) b.tensor(std::string("t.") + t.name, {2 * t.block, 3}, t.id, 2 * 3 * t.bytes);
    TempDir tmp;
    const GgufLayout L = b.build();
    writeFile(tmp / "all.gguf", L.bytes);
    auto g = io::GgufFile::open(tmp / "all.gguf");
    ASSERT_TRUE(g.ok()) << describe(g.error());
    ASSERT_EQ((*g)->tensors().size(), std::size(kGgmlTypes));
    for (std::size_t i = 0; i < std::size(kGgmlTypes); ++i) {
        const auto& t = (*g)->tensors()[i];
        const auto& want = kGgmlTypes[i];
        EXPECT_EQ(static_cast<std::uint32_t>(t.type), want.id);
        std::string name(dtypeName(t.type));
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string wantName = want.name;
        for (auto& c : wantName) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(name, wantName);
        EXPECT_EQ(t.bytes, 6 * want.bytes) << want.name;
        EXPECT_EQ((*g)->tensorData(i).size(), 6 * want.bytes);
        EXPECT_EQ((*g)->tensorData(i).data(), (*g)->file()->data() + L.tensors[i].dataAt);
    }
}

// GGUF v2 has the v3 layout; a general.alignment of 64 moves the data section and offsets.
TEST(GgufFile, Version2AndCustomAlignment)
{
    GgufBuilder b = sampleGguf();
    b.version = 2;
    b.alignment = 64;
    b.kvU32("general.alignment", 64);
    const GgufLayout L = b.build();
    TempDir tmp;
    writeFile(tmp / "v2.gguf", L.bytes);
    auto g = io::GgufFile::open(tmp / "v2.gguf");
    ASSERT_TRUE(g.ok()) << describe(g.error());
    EXPECT_EQ((*g)->version(), 2u);
    EXPECT_EQ((*g)->alignment(), 64u);
    EXPECT_EQ((*g)->dataOffset(), L.dataStart);
    EXPECT_EQ((*g)->dataOffset() % 64, 0u);
    for (std::size_t i = 0; i < L.tensors.size(); ++i) {
        EXPECT_EQ((*g)->tensors()[i].offset % 64, 0u);
        EXPECT_EQ((*g)->tensorData(i).data(), (*g)->file()->data() + L.tensors[i].dataAt);
    }
}

// A GGUF with metadata only (no tensors) is valid: llama.cpp writes such files (vocab-only).
TEST(GgufFile, MetadataOnly)
{
    GgufBuilder b;
    b.kvString("general.architecture", "llama");
    TempDir tmp;
    writeFile(tmp / "m.gguf", b.build().bytes);
    auto g = io::GgufFile::open(tmp / "m.gguf");
    ASSERT_TRUE(g.ok()) << describe(g.error());
    EXPECT_TRUE((*g)->tensors().empty());
    EXPECT_EQ((*g)->metadata().size(), 1u);
}

} // namespace
} // namespace condense::test
