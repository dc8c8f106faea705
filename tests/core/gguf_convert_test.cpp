// HF -> GGUF conversion against things we did not write: the GGUF llama.cpp's
// convert_hf_to_gguf.py made from tiny-llama-spm, the safetensors bytes of small-qwen2-bpe
// (converted here with the compiler's own _Float16), tokenizer.json, and libsentencepiece
// for our tokenizer.model reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>

#include "core/io/checkpoint.h"
#include "core/pipeline/gguf_convert.h"
#include "core/io/gguf_file.h"
#include "core/arch/tensor_naming.h"
#include "core/tokenizer/sentencepiece_model.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::io {
namespace {

using pipeline::ConvertConfig;
using pipeline::ConvertReport;
using pipeline::convertToGguf;
using arch::ggufTensorName;
using arch::hfBlockId;
using arch::isSkippedHfTensor;
using arch::qkPermutedSourceRow;

namespace fs = std::filesystem;
using test::TempDir;

class StopAt final : public jobs::ProgressSink {
public:
    StopAt(std::stop_source& s, jobs::Stage stage, std::uint64_t k) : m_src(s), m_stage(stage), m_k(k) {}
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view) override
    {
        if (stage == m_stage && done == m_k && total > 0) m_src.request_stop();
    }

private:
    std::stop_source& m_src;
    jobs::Stage m_stage;
    std::uint64_t m_k;
};

Result<ConvertReport> convert(const fs::path& in, const fs::path& out, DType type, int threads = 0,
                              jobs::ProgressSink* sink = nullptr, std::stop_token stop = {})
{
    jobs::NullSink null;
    jobs::ProgressSink& s = sink ? *sink : null;
    auto ck = openCheckpoint(in, s);
    if (!ck) return std::move(ck).error();
    ConvertConfig cfg;
    cfg.outType = type;
    cfg.threads = threads;
    return convertToGguf(**ck, out, cfg, s, stop);
}

std::shared_ptr<const GgufFile> openOk(const fs::path& p)
{
    auto g = GgufFile::open(p);
    EXPECT_TRUE(g.ok()) << (g.ok() ? "" : describe(g.error()));
    return g.ok() ? *g : nullptr;
}

std::string bytesOf(const GgufFile& g, std::size_t i)
{
    const auto s = g.tensorData(i);
    return {reinterpret_cast<const char*>(s.data()), s.size()};
}

// A model folder made of symlinks to the files of `src` (all but `skip`), plus overrides.
void linkFolder(const fs::path& src, const fs::path& dst, const std::vector<std::string>& skip)
{
    fs::create_directories(dst);
    for (const auto& e : fs::directory_iterator(src)) {
        const std::string n = e.path().filename().string();
        if (!e.is_regular_file() || std::find(skip.begin(), skip.end(), n) != skip.end()) continue;
        fs::create_symlink(e.path(), dst / n);
    }
}

std::uint16_t f32ToF16Compiler(float f)
{
    const _Float16 h = static_cast<_Float16>(f); // GCC/libgcc IEEE round-to-nearest-even
    std::uint16_t u;
    std::memcpy(&u, &h, 2);
    return u;
}

float f16ToF32Compiler(std::uint16_t u)
{
    _Float16 h;
    std::memcpy(&h, &u, 2);
    return static_cast<float>(h);
}

float bf16ToF32Bits(std::uint16_t b)
{
    const std::uint32_t u = static_cast<std::uint32_t>(b) << 16;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// Independent HF -> llama.cpp name table for the tensors of our two test models.
std::string ggufNameOf(std::string n)
{
    const std::vector<std::pair<std::string, std::string>> repl{
        {"model.embed_tokens", "token_embd"}, {"model.norm", "output_norm"}, {"lm_head", "output"},
        {"model.layers.", "blk."}, {"input_layernorm", "attn_norm"}, {"post_attention_layernorm", "ffn_norm"},
        {"self_attn.q_proj", "attn_q"}, {"self_attn.k_proj", "attn_k"}, {"self_attn.v_proj", "attn_v"},
        {"self_attn.o_proj", "attn_output"}, {"mlp.gate_proj", "ffn_gate"}, {"mlp.up_proj", "ffn_up"},
        {"mlp.down_proj", "ffn_down"}};
    for (const auto& [a, b] : repl)
        if (auto p = n.find(a); p != std::string::npos) n.replace(p, a.size(), b);
    return n;
}

// ---- tiny-llama-spm vs the llama.cpp-made reference ------------------------------------

class TinyLlamaF16 : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = new TempDir("condense-conv");
        auto r = convert(test::tinyLlamaDir(), s_dir->path() / "t.gguf", DType::F16);
        ASSERT_TRUE(r.ok()) << describe(r.error());
        s_report = new ConvertReport(*r);
    }
    static void TearDownTestSuite()
    {
        delete s_dir;
        delete s_report;
    }
    static TempDir* s_dir;
    static ConvertReport* s_report;
};
TempDir* TinyLlamaF16::s_dir = nullptr;
ConvertReport* TinyLlamaF16::s_report = nullptr;

TEST_F(TinyLlamaF16, EveryTensorMatchesTheReference)
{
    auto ours = openOk(s_dir->path() / "t.gguf");
    auto ref = openOk(test::referenceGguf("F16"));
    ASSERT_TRUE(ours && ref);
    ASSERT_EQ(ours->tensors().size(), ref->tensors().size());
    for (std::size_t i = 0; i < ref->tensors().size(); ++i) {
        const auto& a = ours->tensors()[i];
        const auto& b = ref->tensors()[i];
        SCOPED_TRACE(b.name);
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.type, b.type);
        EXPECT_EQ(a.nDims, b.nDims);
        EXPECT_TRUE(std::equal(a.ne, a.ne + 4, b.ne));
        EXPECT_EQ(a.offset, b.offset);
        EXPECT_TRUE(bytesOf(*ours, i) == bytesOf(*ref, i)); // includes the permuted Q/K rows
    }
}

TEST_F(TinyLlamaF16, MetadataEqualsTheReferenceKeyForKeyInOrder)
{
    auto ours = openOk(s_dir->path() / "t.gguf");
    auto ref = openOk(test::referenceGguf("F16"));
    ASSERT_TRUE(ours && ref);
    ASSERT_EQ(ours->metadata().size(), ref->metadata().size());
    for (std::size_t k = 0; k < ref->metadata().size(); ++k) {
        const auto& a = ours->metadata()[k];
        const auto& b = ref->metadata()[k];
        EXPECT_EQ(a.key, b.key);
        EXPECT_EQ(a.value.type(), b.value.type()) << b.key;
        EXPECT_TRUE(a.value == b.value) << b.key << ": " << a.value.toDisplay() << " vs " << b.value.toDisplay();
    }
}

TEST_F(TinyLlamaF16, WholeFileIsByteIdenticalToTheReference)
{
    EXPECT_EQ(s_report->tensors, 57u);
    EXPECT_EQ(s_report->fileBytes, fs::file_size(test::referenceGguf("F16")));
    EXPECT_TRUE(test::readFile(s_dir->path() / "t.gguf") == test::readFile(test::referenceGguf("F16")));
    EXPECT_EQ(s_dir->entries(), std::vector<std::string>{"t.gguf"});
}

// F32 and BF16 outputs: the same tensors, values widened / rounded from the reference F16.
TEST(GgufConvert, TinyLlamaF32AndBf16FollowTheReferenceValues)
{
    TempDir dir;
    auto ref = openOk(test::referenceGguf("F16"));
    ASSERT_TRUE(ref);
    for (DType type : {DType::F32, DType::BF16}) {
        const fs::path out = dir / (std::string(dtypeName(type)) + ".gguf");
        auto r = convert(test::tinyLlamaDir(), out, type);
        ASSERT_TRUE(r.ok()) << describe(r.error());
        auto g = openOk(out);
        ASSERT_TRUE(g);
        EXPECT_EQ(g->getUInt("general.file_type"), type == DType::F32 ? 0u : 32u);
        ASSERT_EQ(g->tensors().size(), ref->tensors().size());
        for (std::size_t i = 0; i < ref->tensors().size(); ++i) {
            const auto& rt = ref->tensors()[i];
            const auto& t = g->tensors()[i];
            SCOPED_TRACE(rt.name);
            ASSERT_EQ(t.name, rt.name);
            if (rt.type == DType::F32) {
                EXPECT_EQ(t.type, DType::F32);
                EXPECT_TRUE(bytesOf(*g, i) == bytesOf(*ref, i));
                continue;
            }
            ASSERT_EQ(t.type, type);
            const auto src = ref->tensorData(i);
            const auto dst = g->tensorData(i);
            const std::size_t n = src.size() / 2;
            ASSERT_EQ(dst.size(), n * (type == DType::F32 ? 4 : 2));
            for (std::size_t e = 0; e < n; ++e) {
                std::uint16_t h;
                std::memcpy(&h, src.data() + 2 * e, 2);
                const float x = f16ToF32Compiler(h);
                if (type == DType::F32) {
                    float y;
                    std::memcpy(&y, dst.data() + 4 * e, 4);
                    ASSERT_EQ(std::memcmp(&x, &y, 4), 0) << e;
                } else {
                    // The nearest bf16, ties to even.
                    std::uint16_t b;
                    std::memcpy(&b, dst.data() + 2 * e, 2);
                    std::uint32_t xb;
                    std::memcpy(&xb, &x, 4);
                    const auto lo = static_cast<std::uint16_t>(xb >> 16);
                    const auto hi = static_cast<std::uint16_t>(lo + 1);
                    const double dl = std::fabs(double(bf16ToF32Bits(lo)) - x), dh = std::fabs(double(bf16ToF32Bits(hi)) - x);
                    const std::uint16_t want = dl < dh ? lo : dh < dl ? hi : ((lo & 1) ? hi : lo);
                    ASSERT_EQ(b, want) << e;
                }
            }
        }
    }
}

TEST(GgufConvert, CancellationAtAnyTensorLeavesNoFile)
{
    TempDir dir;
    for (std::uint64_t k : {0ull, 9ull, 56ull}) {
        std::stop_source src;
        StopAt sink(src, jobs::Stage::Converting, k);
        auto r = convert(test::tinyLlamaDir(), dir / "t.gguf", DType::F16, 2, &sink, src.get_token());
        ASSERT_FALSE(r.ok()) << k;
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
        EXPECT_TRUE(dir.entries().empty()) << k;
    }
}

// ---- small-qwen2-bpe: sharded BF16, byte-level BPE, tied embeddings -------------------

struct StTensor {
    std::string name, dtype;
    std::vector<std::uint64_t> shape;
    std::string bytes;
};

// Reads a safetensors file with nothing but the format's description.
std::vector<StTensor> readSafetensors(const fs::path& p)
{
    const std::string all = test::readFile(p);
    std::uint64_t n = 0;
    std::memcpy(&n, all.data(), 8);
    const auto header = nlohmann::json::parse(all.substr(8, n));
    std::vector<StTensor> out;
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") continue;
        StTensor t;
        t.name = it.key();
        t.dtype = it.value()["dtype"].get<std::string>();
        t.shape = it.value()["shape"].get<std::vector<std::uint64_t>>();
        const auto b = it.value()["data_offsets"][0].get<std::uint64_t>(), e = it.value()["data_offsets"][1].get<std::uint64_t>();
        t.bytes = all.substr(8 + n + b, e - b);
        out.push_back(std::move(t));
    }
    std::sort(out.begin(), out.end(), [](const StTensor& a, const StTensor& b) { return a.name < b.name; });
    return out;
}

class Qwen2F16 : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = new TempDir("condense-conv");
        auto r = convert(test::qwen2Dir(), s_dir->path() / "q.gguf", DType::F16, 2);
        ASSERT_TRUE(r.ok()) << describe(r.error());
    }
    static void TearDownTestSuite() { delete s_dir; }
    static TempDir* s_dir;
};
TempDir* Qwen2F16::s_dir = nullptr;

TEST_F(Qwen2F16, MetadataSanity)
{
    auto g = openOk(s_dir->path() / "q.gguf");
    ASSERT_TRUE(g);
    const auto tj = nlohmann::json::parse(test::readFile(test::qwen2Dir() / "tokenizer.json"));
    const auto cfg = nlohmann::json::parse(test::readFile(test::qwen2Dir() / "config.json"));
    EXPECT_EQ(g->getString("general.architecture"), "qwen2");
    EXPECT_EQ(g->getString("general.name"), "Small Qwen2 Bpe");
    EXPECT_EQ(g->getString("general.size_label"), "22M");
    EXPECT_EQ(g->getUInt("general.file_type"), 1u);
    EXPECT_EQ(g->getUInt("qwen2.block_count"), cfg["num_hidden_layers"].get<std::uint64_t>());
    EXPECT_EQ(g->getUInt("qwen2.embedding_length"), cfg["hidden_size"].get<std::uint64_t>());
    EXPECT_EQ(g->getUInt("qwen2.feed_forward_length"), cfg["intermediate_size"].get<std::uint64_t>());
    EXPECT_EQ(g->getUInt("qwen2.attention.head_count"), cfg["num_attention_heads"].get<std::uint64_t>());
    EXPECT_EQ(g->getUInt("qwen2.attention.head_count_kv"), cfg["num_key_value_heads"].get<std::uint64_t>());
    EXPECT_EQ(g->getUInt("qwen2.context_length"), cfg["max_position_embeddings"].get<std::uint64_t>());
    EXPECT_EQ(g->find("qwen2.rope.freq_base")->type(), GgufType::F32);
    EXPECT_FLOAT_EQ(static_cast<float>(*g->getFloat("qwen2.rope.freq_base")), cfg["rope_parameters"]["rope_theta"].get<float>());
    EXPECT_FLOAT_EQ(static_cast<float>(*g->getFloat("qwen2.attention.layer_norm_rms_epsilon")), cfg["rms_norm_eps"].get<float>());
    EXPECT_EQ(g->getString("tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(g->getString("tokenizer.ggml.pre"), "qwen2");
    const GgufValue* merges = g->find("tokenizer.ggml.merges");
    ASSERT_TRUE(merges);
    ASSERT_EQ(merges->size(), tj["model"]["merges"].size());
    const auto& m0 = tj["model"]["merges"][0];
    EXPECT_EQ(merges->strings()[0], m0[0].get<std::string>() + " " + m0[1].get<std::string>());
    const GgufValue* tokens = g->find("tokenizer.ggml.tokens");
    ASSERT_TRUE(tokens);
    ASSERT_EQ(tokens->size(), cfg["vocab_size"].get<std::uint64_t>());
    for (auto it = tj["model"]["vocab"].begin(); it != tj["model"]["vocab"].end(); ++it)
        ASSERT_EQ(tokens->strings()[it.value().get<std::size_t>()], it.key());
    const GgufValue* types = g->find("tokenizer.ggml.token_type");
    for (const auto& a : tj["added_tokens"]) {
        const auto id = a["id"].get<std::size_t>();
        EXPECT_EQ(tokens->strings()[id], a["content"].get<std::string>());
        EXPECT_EQ(types->intAt(id), 3); // control
    }
    EXPECT_EQ(types->intAt(0), 1);
    EXPECT_EQ(g->getUInt("tokenizer.ggml.eos_token_id"), 8191u);
    EXPECT_EQ(g->getUInt("tokenizer.ggml.padding_token_id"), 8191u);
    EXPECT_EQ(g->getBool("tokenizer.ggml.add_bos_token"), false);
    EXPECT_FALSE(g->find("tokenizer.ggml.scores"));
    EXPECT_LT(g->findTensor("output.weight"), 0); // tied embeddings
    for (int b = 0; b < 6; ++b)
        for (const char* t : {"attn_q", "attn_k", "attn_v"}) {
            const auto i = g->findTensor("blk." + std::to_string(b) + "." + t + ".bias");
            ASSERT_GE(i, 0);
            EXPECT_EQ(g->tensors()[static_cast<std::size_t>(i)].type, DType::F32);
        }
}

TEST_F(Qwen2F16, TensorsAreTheBf16WeightsRoundedToF16InShardOrder)
{
    auto g = openOk(s_dir->path() / "q.gguf");
    ASSERT_TRUE(g);
    std::size_t i = 0;
    for (const char* shard : {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}) {
        for (const auto& st : readSafetensors(test::qwen2Dir() / shard)) {
            SCOPED_TRACE(st.name);
            ASSERT_LT(i, g->tensors().size());
            const auto& t = g->tensors()[i];
            ASSERT_EQ(st.dtype, "BF16");
            EXPECT_EQ(t.name, ggufNameOf(st.name));
            ASSERT_EQ(t.nDims, st.shape.size());
            for (std::size_t d = 0; d < st.shape.size(); ++d) EXPECT_EQ(t.ne[d], st.shape[st.shape.size() - 1 - d]);
            const bool keepF32 = st.shape.size() == 1; // norms and biases
            EXPECT_EQ(t.type, keepF32 ? DType::F32 : DType::F16);
            const std::size_t n = st.bytes.size() / 2;
            std::string want(n * (keepF32 ? 4 : 2), '\0');
            for (std::size_t e = 0; e < n; ++e) {
                std::uint16_t b;
                std::memcpy(&b, st.bytes.data() + 2 * e, 2);
                const float x = bf16ToF32Bits(b);
                if (keepF32) std::memcpy(want.data() + 4 * e, &x, 4);
                else {
                    const std::uint16_t h = f32ToF16Compiler(x);
                    std::memcpy(want.data() + 2 * e, &h, 2);
                }
            }
            EXPECT_TRUE(bytesOf(*g, i) == want);
            ++i;
        }
    }
    EXPECT_EQ(i, g->tensors().size());
}

TEST_F(Qwen2F16, ThreadCountDoesNotChangeTheBytes)
{
    TempDir dir;
    auto r = convert(test::qwen2Dir(), dir / "q1.gguf", DType::F16, 1);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_TRUE(test::readFile(dir / "q1.gguf") == test::readFile(s_dir->path() / "q.gguf"));
}

// The Llama-3 split regex in tokenizer.json selects llama.cpp's "llama-bpe" pre-tokenizer.
TEST(GgufConvert, RecognizesTheLlama3PreTokenizerRegex)
{
    TempDir dir;
    const fs::path m = dir / "m";
    linkFolder(test::tinyQwen2Dir(), m, {"tokenizer.json"});
    auto tj = nlohmann::json::parse(test::readFile(test::tinyQwen2Dir() / "tokenizer.json"));
    auto& re = tj["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"];
    std::string r = re.get<std::string>();
    const auto p = r.find("\\p{N}|");
    ASSERT_NE(p, std::string::npos);
    r.replace(p, 6, "\\p{N}{1,3}|");
    re = r; // now exactly the regex llama.cpp quotes for LLAMA_VOCAB_PRE_TYPE_LLAMA3
    test::writeFile(m / "tokenizer.json", tj.dump());
    auto res = convert(m, dir / "o.gguf", DType::F16);
    ASSERT_TRUE(res.ok()) << describe(res.error());
    auto g = openOk(dir / "o.gguf");
    EXPECT_EQ(g->getString("tokenizer.ggml.pre"), "llama-bpe");

    // An unknown regex still converts, with "default" and a warning.
    re = "\\s+";
    test::writeFile(m / "tokenizer.json", tj.dump());
    auto res2 = convert(m, dir / "o2.gguf", DType::F16);
    ASSERT_TRUE(res2.ok()) << describe(res2.error());
    EXPECT_FALSE(res2->warnings.empty());
    EXPECT_EQ(openOk(dir / "o2.gguf")->getString("tokenizer.ggml.pre"), "default");
}

// ---- tokenizer sources and failures ---------------------------------------------------

TEST(GgufConvert, LlamaWithOnlyTokenizerJsonUsesTheByteFallbackBpeVocab)
{
    TempDir dir;
    const fs::path m = dir / "tiny-llama-spm";
    linkFolder(test::tinyLlamaDir(), m, {"tokenizer.model"});
    auto r = convert(m, dir / "o.gguf", DType::F16);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    auto g = openOk(dir / "o.gguf");
    auto ref = openOk(test::referenceGguf("F16"));
    ASSERT_TRUE(g && ref);
    EXPECT_EQ(g->getString("tokenizer.ggml.model"), "llama");
    const auto& tokens = g->find("tokenizer.ggml.tokens")->strings();
    EXPECT_EQ(tokens, ref->find("tokenizer.ggml.tokens")->strings());
    const GgufValue* types = g->find("tokenizer.ggml.token_type");
    const GgufValue* refTypes = ref->find("tokenizer.ggml.token_type");
    const GgufValue* scores = g->find("tokenizer.ggml.scores");
    ASSERT_EQ(types->size(), refTypes->size());
    for (std::uint64_t i = 0; i < types->size(); ++i) {
        // LlamaHfVocab marks <unk> control (it is a special token) and gives every score -1000.
        EXPECT_EQ(types->intAt(i), i == 0 ? 3 : refTypes->intAt(i)) << i;
        EXPECT_EQ(scores->floatAt(i), -1000.0) << i;
    }
    EXPECT_EQ(g->getUInt("tokenizer.ggml.bos_token_id"), 1u);
    EXPECT_EQ(g->getBool("tokenizer.ggml.add_bos_token"), true);
    // Everything but the vocabulary is as in the reference.
    for (std::size_t i = 0; i < ref->tensors().size(); ++i) EXPECT_TRUE(bytesOf(*g, i) == bytesOf(*ref, i));
}

TEST(GgufConvert, NoTokenizerFailsWithMissingTokenizerAndLeavesNothing)
{
    TempDir dir;
    const fs::path m = dir / "m";
    linkFolder(test::tinyLlamaDir(), m, {"tokenizer.model", "tokenizer.json"});
    const fs::path outDir = dir / "out";
    fs::create_directories(outDir);
    auto r = convert(m, outDir / "o.gguf", DType::F16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::MissingTokenizer);
    EXPECT_EQ(r.error().file, m.string());
    EXPECT_TRUE(fs::is_empty(outDir));
}

TEST(GgufConvert, UnsupportedArchitectureIsRefused)
{
    TempDir dir;
    const fs::path m = dir / "m";
    linkFolder(test::tinyLlamaDir(), m, {"config.json"});
    test::writeFile(m / "config.json", R"({"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_size": 256,
        "num_hidden_layers": 6, "num_attention_heads": 8, "intermediate_size": 768, "vocab_size": 4096})");
    auto r = convert(m, dir / "o.gguf", DType::F16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::UnsupportedArchitecture);
    EXPECT_FALSE(fs::exists(dir / "o.gguf"));
}

TEST(GgufConvert, OutputTypesOtherThanFloatsAreRefused)
{
    TempDir dir;
    auto r = convert(test::tinyLlamaDir(), dir / "o.gguf", DType::Q8_0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_TRUE(dir.entries().empty());
}

// ---- GGUF input -------------------------------------------------------------------------

TEST(GgufConvert, GgufInputIsRetypedAndKeepsItsMetadata)
{
    TempDir dir;
    auto r = convert(test::referenceGguf("F16"), dir / "f32.gguf", DType::F32);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    auto g = openOk(dir / "f32.gguf");
    auto ref = openOk(test::referenceGguf("F16"));
    ASSERT_TRUE(g && ref);
    ASSERT_EQ(g->metadata().size(), ref->metadata().size());
    for (std::size_t k = 0; k < ref->metadata().size(); ++k) {
        EXPECT_EQ(g->metadata()[k].key, ref->metadata()[k].key);
        if (ref->metadata()[k].key == "general.file_type") EXPECT_EQ(g->metadata()[k].value.asUInt(), 0u);
        else EXPECT_TRUE(g->metadata()[k].value == ref->metadata()[k].value) << ref->metadata()[k].key;
    }
    for (std::size_t i = 0; i < ref->tensors().size(); ++i) {
        ASSERT_EQ(g->tensors()[i].type, DType::F32);
        const auto src = ref->tensorData(i);
        const auto dst = g->tensorData(i);
        if (ref->tensors()[i].type == DType::F32) {
            EXPECT_TRUE(bytesOf(*g, i) == bytesOf(*ref, i));
            continue;
        }
        for (std::size_t e = 0; e < src.size() / 2; ++e) {
            std::uint16_t h;
            std::memcpy(&h, src.data() + 2 * e, 2);
            float x = f16ToF32Compiler(h), y;
            std::memcpy(&y, dst.data() + 4 * e, 4);
            ASSERT_EQ(std::memcmp(&x, &y, 4), 0);
        }
    }
    // And back: F32 -> F16 reproduces the reference exactly.
    auto back = convert(dir / "f32.gguf", dir / "f16.gguf", DType::F16);
    ASSERT_TRUE(back.ok()) << describe(back.error());
    EXPECT_TRUE(test::readFile(dir / "f16.gguf") == test::readFile(test::referenceGguf("F16")));
}

TEST(GgufConvert, QuantizedGgufInputIsRefusedForNow)
{
    TempDir dir;
    auto r = convert(test::referenceGguf("Q4_0"), dir / "o.gguf", DType::F16);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::UnsupportedType);
    EXPECT_TRUE(dir.entries().empty());
}

TEST(GgufConvert, RefusesToWriteOntoItsInput)
{
    TempDir dir;
    fs::copy_file(test::referenceGguf("F16"), dir / "in.gguf");
    const std::string before = test::readFile(dir / "in.gguf");
    auto r = convert(dir / "in.gguf", dir / "in.gguf", DType::F32);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_TRUE(test::readFile(dir / "in.gguf") == before);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"in.gguf"});
}

// ---- pieces of the converter ----------------------------------------------------------

TEST(TensorNaming, MapsTheFourFamiliesAndSkipsRotaryCaches)
{
    EXPECT_EQ(ggufTensorName("model.embed_tokens.weight"), "token_embd.weight");
    EXPECT_EQ(ggufTensorName("lm_head.weight"), "output.weight");
    EXPECT_EQ(ggufTensorName("model.layers.12.self_attn.k_norm.weight"), "blk.12.attn_k_norm.weight");
    EXPECT_EQ(ggufTensorName("model.layers.3.self_attn.o_proj.bias"), "blk.3.attn_output.bias");
    EXPECT_EQ(ggufTensorName("model.language_model.layers.0.mlp.up_proj.weight"), "blk.0.ffn_up.weight");
    EXPECT_FALSE(ggufTensorName("model.layers.x.mlp.up_proj.weight"));
    EXPECT_FALSE(ggufTensorName("vision_tower.weight"));
    EXPECT_TRUE(isSkippedHfTensor("model.layers.0.self_attn.rotary_emb.inv_freq"));
    EXPECT_EQ(hfBlockId("model.layers.17.mlp.up_proj.weight"), 17);
    EXPECT_EQ(hfBlockId("lm_head.weight"), -1);
}

// LlamaModel.permute on a 2-head, 8-row example: rows (0..3 | 4..7) -> (0,2,1,3 | 4,6,5,7).
TEST(TensorNaming, QkPermutationInterleavesTheRotaryHalves)
{
    const std::uint64_t want[8] = {0, 2, 1, 3, 4, 6, 5, 7};
    for (std::uint64_t r = 0; r < 8; ++r) EXPECT_EQ(qkPermutedSourceRow(r, 8, 2), want[r]) << r;
}

TEST(SentencePieceModel, MatchesLibsentencepiece)
{
    const fs::path p = test::tinyLlamaDir() / "tokenizer.model";
    auto m = tokenizer::readSentencePieceModel(p);
    ASSERT_TRUE(m.ok()) << describe(m.error());
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(p.string()).ok());
    ASSERT_EQ(m->pieces.size(), static_cast<std::size_t>(sp.GetPieceSize()));
    for (int i = 0; i < sp.GetPieceSize(); ++i) {
        const auto& piece = m->pieces[static_cast<std::size_t>(i)];
        ASSERT_EQ(piece.piece, sp.IdToPiece(i)) << i;
        ASSERT_EQ(piece.score, sp.GetScore(i)) << i;
        EXPECT_EQ(piece.type == tokenizer::SpPieceType::Unknown, sp.IsUnknown(i)) << i;
        EXPECT_EQ(piece.type == tokenizer::SpPieceType::Control, sp.IsControl(i)) << i;
        EXPECT_EQ(piece.type == tokenizer::SpPieceType::Unused, sp.IsUnused(i)) << i;
        EXPECT_EQ(piece.type == tokenizer::SpPieceType::Byte, sp.IsByte(i)) << i;
    }
    EXPECT_EQ(m->unkId, sp.unk_id());
    EXPECT_EQ(m->bosId, sp.bos_id());
    EXPECT_EQ(m->eosId, sp.eos_id());
    EXPECT_EQ(m->padId, sp.pad_id());

    const auto args = nlohmann::json::parse(test::readFile(test::tinyLlamaDir() / "sentencepiece_trainer_args.json"));
    EXPECT_EQ(m->modelType, 2); // bpe
    EXPECT_EQ(m->vocabSize, args["vocab_size"].get<int>());
    EXPECT_EQ(m->byteFallback, args["byte_fallback"].get<bool>());
    EXPECT_EQ(m->splitDigits, args["split_digits"].get<bool>());
    EXPECT_EQ(m->addDummyPrefix, args["add_dummy_prefix"].get<bool>());
    EXPECT_EQ(m->removeExtraWhitespaces, args["remove_extra_whitespaces"].get<bool>());
    EXPECT_EQ(m->treatWhitespaceAsSuffix, args["treat_whitespace_as_suffix"].get<bool>());
    EXPECT_EQ(m->normalizerName, args["normalization_rule_name"].get<std::string>());
    EXPECT_EQ(m->unkPiece, args["unk_piece"].get<std::string>());
}

TEST(SentencePieceModel, TruncatedOrCorruptFilesGiveErrorsNotCrashes)
{
    const std::string bytes = test::readFile(test::tinyLlamaDir() / "tokenizer.model");
    const auto* p = reinterpret_cast<const std::byte*>(bytes.data());
    std::size_t failures = 0;
    for (std::size_t cut = 0; cut < bytes.size(); cut += 97) {
        auto r = tokenizer::parseSentencePieceModel({p, cut}, "cut");
        if (!r.ok()) ++failures;
    }
    EXPECT_GT(failures, 0u);
    std::string bad = bytes;
    bad[0] = static_cast<char>(0x0f); // field 1 with wire type 7
    EXPECT_FALSE(tokenizer::parseSentencePieceModel({reinterpret_cast<const std::byte*>(bad.data()), bad.size()}, "bad").ok());
    const std::string huge = "\x0a\xff\xff\xff\xff\x0f"; // a length far beyond the data
    EXPECT_FALSE(tokenizer::parseSentencePieceModel({reinterpret_cast<const std::byte*>(huge.data()), huge.size()}, "huge").ok());
}

} // namespace
} // namespace condense::io
