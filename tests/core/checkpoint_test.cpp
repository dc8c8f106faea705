// Checkpoint: one view over HF folders (single file and sharded index), a .safetensors given
// directly and GGUF files, checked against the models README (parameter counts), the index
// JSON, config.json and the gguf-py listing, all read here independently.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <set>

#include "core/io/checkpoint.h"
#include "tests/support/malformed.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RecordingSink final : jobs::ProgressSink {
    std::vector<std::pair<std::uint64_t, std::uint64_t>> reports;
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view) override
    {
        EXPECT_EQ(stage, jobs::Stage::Opening);
        reports.emplace_back(done, total);
    }
};

std::shared_ptr<const io::Checkpoint> openOk(const fs::path& p)
{
    jobs::NullSink sink;
    auto r = io::openCheckpoint(p, sink);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describe(r.error()));
    return r.ok() ? *r : nullptr;
}

TEST(Checkpoint, TinyLlamaFolder)
{
    RecordingSink sink;
    auto r = io::openCheckpoint(tinyLlamaDir(), sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    const io::Checkpoint& c = **r;
    EXPECT_EQ(c.format(), io::CheckpointFormat::HfFolder);
    EXPECT_TRUE(c.hasConfig());
    EXPECT_EQ(c.files(), std::vector<std::string>{(tinyLlamaDir() / "model.safetensors").string()});
    EXPECT_EQ(c.tensors().size(), 57u);
    EXPECT_EQ(c.parameterCount(), 6'819'072u); // models README
    EXPECT_EQ(c.totalTensorBytes(), 2u * 6'819'072u);
    EXPECT_EQ(c.bytesPerDtype(), (std::map<DType, std::uint64_t>{{DType::F16, 2u * 6'819'072u}}));
    for (const auto& t : c.tensors()) EXPECT_EQ(t.dtype, DType::F16) << t.name;
    EXPECT_GE(c.findTensor("lm_head.weight"), 0);
    EXPECT_EQ(c.spec().family, arch::Family::Llama);
    EXPECT_EQ(c.folder(), tinyLlamaDir());
    ASSERT_FALSE(sink.reports.empty());
    EXPECT_EQ(sink.reports.back().first, sink.reports.back().second);

    // Shapes agree with config.json: embed [vocab, hidden], q [heads*head_dim, hidden],
    // k [kv_heads*head_dim, hidden], down [hidden, intermediate].
    const json cfg = json::parse(readFile(tinyLlamaDir() / "config.json"));
    const std::uint64_t h = cfg["hidden_size"], v = cfg["vocab_size"], ff = cfg["intermediate_size"], hd = cfg["head_dim"],
                        nh = cfg["num_attention_heads"], kv = cfg["num_key_value_heads"];
    auto shape = [&](const char* n) { return c.tensors().at(static_cast<std::size_t>(c.findTensor(n))).shape; };
    EXPECT_EQ(shape("model.embed_tokens.weight"), (std::vector<std::uint64_t>{v, h}));
    EXPECT_EQ(shape("model.layers.0.self_attn.q_proj.weight"), (std::vector<std::uint64_t>{nh * hd, h}));
    EXPECT_EQ(shape("model.layers.0.self_attn.k_proj.weight"), (std::vector<std::uint64_t>{kv * hd, h}));
    EXPECT_EQ(shape("model.layers.5.mlp.down_proj.weight"), (std::vector<std::uint64_t>{h, ff}));
    EXPECT_EQ(shape("model.norm.weight"), (std::vector<std::uint64_t>{h}));
    const auto& down = c.tensors().at(static_cast<std::size_t>(c.findTensor("model.layers.5.mlp.down_proj.weight")));
    EXPECT_EQ(down.ne(), (std::array<std::uint64_t, 4>{ff, h, 1, 1}));
    EXPECT_EQ(down.rowLength(), ff);
}

TEST(Checkpoint, SmallQwen2ShardedFolder)
{
    auto c = openOk(qwen2Dir());
    ASSERT_TRUE(c);
    EXPECT_EQ(c->format(), io::CheckpointFormat::HfFolder);
    EXPECT_EQ(c->files().size(), 2u);
    EXPECT_EQ(c->tensors().size(), 74u);
    EXPECT_EQ(c->parameterCount(), 22'293'504u); // models README
    EXPECT_EQ(c->findTensor("lm_head.weight"), -1); // tied
    EXPECT_TRUE(c->spec().tieWordEmbeddings);
    for (const auto& t : c->tensors()) EXPECT_EQ(t.dtype, DType::BF16) << t.name;
    for (int l = 0; l < 6; ++l)
        for (const char* p : {"q", "k", "v"}) {
            const std::string n = "model.layers." + std::to_string(l) + ".self_attn." + p + "_proj.bias";
            EXPECT_GE(c->findTensor(n), 0) << n;
        }

    // Every tensor comes from the shard the index names, and the index lists all of them.
    const json index = json::parse(readFile(qwen2Dir() / "model.safetensors.index.json"));
    const json& wm = index["weight_map"];
    EXPECT_EQ(wm.size(), c->tensors().size());
    std::uint64_t bytes = 0;
    for (const auto& t : c->tensors()) {
        ASSERT_TRUE(wm.contains(t.name)) << t.name;
        EXPECT_EQ(fs::path(c->files().at(t.source)).filename().string(), wm[t.name].get<std::string>()) << t.name;
        bytes += t.bytes;
    }
    EXPECT_EQ(bytes, index["metadata"]["total_size"].get<std::uint64_t>());
    EXPECT_EQ(c->parameterCount(), index["metadata"]["total_parameters"].get<std::uint64_t>());

    // Bytes on demand come from the right shard: compare with the raw file.
    const auto i = static_cast<std::size_t>(c->findTensor("model.norm.weight"));
    const auto& t = c->tensors()[i];
    const auto& shard = c->safetensors().at(t.source);
    const auto& st = shard->tensors().at(t.indexInSource);
    const std::string raw = readFile(c->files().at(t.source));
    const auto d = c->tensorData(i);
    ASSERT_EQ(d.size(), 1024u);
    EXPECT_EQ(std::memcmp(d.data(), raw.data() + shard->dataOffset() + st.begin, d.size()), 0);
}

TEST(Checkpoint, SafetensorsFileGivenDirectly)
{
    auto c = openOk(tinyLlamaDir() / "model.safetensors");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->format(), io::CheckpointFormat::Safetensors);
    EXPECT_EQ(c->tensors().size(), 57u);
    EXPECT_EQ(c->parameterCount(), 6'819'072u);
    EXPECT_TRUE(c->hasConfig()); // config.json beside it
    EXPECT_EQ(c->spec().family, arch::Family::Llama);
    EXPECT_EQ(c->displayName(), "tiny-llama-spm");
}

TEST(Checkpoint, SafetensorsFileWithoutConfig)
{
    TempDir tmp;
    writeFile(tmp / "w.safetensors", sampleSafetensors().build());
    auto c = openOk(tmp / "w.safetensors");
    ASSERT_TRUE(c);
    EXPECT_FALSE(c->hasConfig());
    EXPECT_FALSE(c->spec().known());
    EXPECT_EQ(c->tensors().size(), 5u);
}

TEST(Checkpoint, ReferenceGguf)
{
    const json ref = json::parse(readFile(tinyLlamaDir() / "reference-gguf" / "tiny-llama-spm-F16.gguf.json"));
    auto c = openOk(referenceGguf("F16"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->format(), io::CheckpointFormat::Gguf);
    ASSERT_NE(c->gguf(), nullptr);
    EXPECT_EQ(c->parameterCount(), 6'819'072u);
    const json& tensors = ref["tensors"];
    ASSERT_EQ(c->tensors().size(), tensors.size());
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& t = c->tensors()[i];
        EXPECT_EQ(t.name, tensors[i]["name"].get<std::string>());
        auto shape = tensors[i]["shape"].get<std::vector<std::uint64_t>>(); // ggml order
        std::reverse(shape.begin(), shape.end());
        EXPECT_EQ(t.shape, shape) << t.name;
        EXPECT_EQ(std::string(dtypeName(t.dtype)), tensors[i]["type"].get<std::string>());
    }
    const arch::ModelSpec& s = c->spec();
    const json& md = ref["metadata"];
    EXPECT_EQ(s.family, arch::Family::Llama);
    EXPECT_EQ(s.hiddenSize, md["llama.embedding_length"].get<std::uint64_t>());
    EXPECT_EQ(s.numLayers, md["llama.block_count"].get<std::uint64_t>());
    EXPECT_EQ(s.numKvHeads, md["llama.attention.head_count_kv"].get<std::uint64_t>());
    EXPECT_EQ(s.vocabSize, md["llama.vocab_size"].get<std::uint64_t>());
    EXPECT_EQ(s.rmsNormEps, md["llama.attention.layer_norm_rms_epsilon"].get<double>());
    EXPECT_EQ(s.name, md["general.name"].get<std::string>());
    EXPECT_FALSE(s.tieWordEmbeddings);
    bool sawVersion = false;
    for (const auto& m : c->metadata()) sawVersion |= m.key == "GGUF.version" && m.value == "3";
    EXPECT_TRUE(sawVersion);
}

TEST(Checkpoint, EveryReferenceGgufOpens)
{
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(tinyLlamaDir() / "reference-gguf")) {
        if (e.path().extension() != ".gguf") continue;
        ++n;
        auto c = openOk(e.path());
        ASSERT_TRUE(c) << e.path();
        EXPECT_FALSE(c->tensors().empty());
        for (std::size_t i = 0; i < c->tensors().size(); ++i) EXPECT_EQ(c->tensorData(i).size(), c->tensors()[i].bytes);
    }
    EXPECT_EQ(n, 6u);
}

TEST(Checkpoint, FolderWithOnlyAGguf)
{
    TempDir tmp;
    fs::create_directories(tmp / "m");
    fs::copy_file(referenceGguf("Q4_0"), tmp / "m" / "x.gguf");
    auto c = openOk(tmp / "m");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->format(), io::CheckpointFormat::Gguf);
}

TEST(Checkpoint, CancelledBeforeReadingShards)
{
    std::stop_source stop;
    stop.request_stop();
    jobs::NullSink sink;
    auto r = io::openCheckpoint(tinyQwen2Dir(), sink, stop.get_token());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
}

TEST(Checkpoint, SyntheticShardedFolder)
{
    TempDir tmp;
    HfFolder::sharded().write(tmp / "m");
    auto c = openOk(tmp / "m");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->files().size(), 2u);
    EXPECT_EQ(c->tensors().size(), 5u);
    std::set<std::uint32_t> sources;
    for (const auto& t : c->tensors()) sources.insert(t.source);
    EXPECT_EQ(sources, (std::set<std::uint32_t>{0, 1}));
}

} // namespace
} // namespace condense::test
