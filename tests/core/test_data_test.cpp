// The in-repo test data (tests/data) itself:
// - the reference GGUFs the default suite runs on (made by condense-cli, see
//   tests/support/test_paths.h) are llama.cpp's files tensor by tensor and key by key, as their
//   manifests (tests/data/tools/gguf_manifest.py over the llama.cpp files) describe them;
// - the sharded BF16 Qwen2 checkpoint made by PyTorch (tests/data/tools/make_qwen2_sharded.py)
//   converts to the names, shapes and values that script computed;
// - tests/data/README.md accounts for every file under tests/data.
// Extended suite (TestDataExtended.*): the manifests describe ../shared's llama.cpp files, the
// made files are those files byte for byte, and every in-repo copy equals its ../shared original.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/gguf_file.h"
#include "tests/support/sha256.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kTypes[] = {"F16", "Q8_0", "Q4_0", "Q4_K_M", "Q4_K_M-imat"};

fs::path manifestPath(const std::string& type)
{
    return dataDir() / "tiny-llama-spm" / "reference-gguf" / ("tiny-llama-spm-" + type + ".manifest.json");
}

json readJsonFile(const fs::path& p)
{
    const std::string text = readFile(requireFile(p));
    return json::parse(text, nullptr, /*allow_exceptions=*/false);
}

std::string shaOf(std::span<const std::byte> d) { return sha256Hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size())); }

// Every tensor and metadata key of `gguf` is the one the manifest lists, in order.
void expectMatchesManifest(const fs::path& gguf, const json& m)
{
    SCOPED_TRACE(gguf.string());
    ASSERT_FALSE(m.is_discarded());
    EXPECT_EQ(sha256File(gguf), m["sha256"].get<std::string>());
    EXPECT_EQ(fs::file_size(gguf), m["bytes"].get<std::uint64_t>());
    auto g = io::GgufFile::open(gguf);
    ASSERT_TRUE(g.ok()) << describe(g.error());
    EXPECT_EQ((*g)->version(), m["version"].get<std::uint32_t>());
    EXPECT_EQ((*g)->alignment(), m["alignment"].get<std::uint32_t>());
    EXPECT_EQ((*g)->dataOffset(), m["data_offset"].get<std::uint64_t>());
    const auto& kv = (*g)->metadata();
    ASSERT_EQ(kv.size(), m["metadata"].size());
    for (std::size_t i = 0; i < kv.size(); ++i) {
        const json& want = m["metadata"][i];
        EXPECT_EQ(kv[i].key, want["key"].get<std::string>()) << i;
        const json& v = want["value"];
        if (v.is_string()) {
            EXPECT_EQ((*g)->getString(kv[i].key), v.get<std::string>()) << kv[i].key;
        } else if (v.is_boolean()) {
            EXPECT_EQ((*g)->getBool(kv[i].key), v.get<bool>()) << kv[i].key;
        } else if (v.is_number_integer()) {
            EXPECT_EQ((*g)->getUInt(kv[i].key), v.get<std::uint64_t>()) << kv[i].key;
        } else if (v.is_number_float()) {
            EXPECT_EQ((*g)->getFloat(kv[i].key), v.get<double>()) << kv[i].key;
        }
    }
    const auto& t = (*g)->tensors();
    ASSERT_EQ(t.size(), m["tensors"].size());
    for (std::size_t i = 0; i < t.size(); ++i) {
        const json& want = m["tensors"][i];
        SCOPED_TRACE(want["name"].get<std::string>());
        EXPECT_EQ(t[i].name, want["name"].get<std::string>());
        EXPECT_EQ(std::string(dtypeName(t[i].type)), want["type"].get<std::string>());
        const auto shape = want["shape"].get<std::vector<std::uint64_t>>();
        EXPECT_EQ(t[i].nDims, shape.size());
        for (std::size_t d = 0; d < shape.size(); ++d) EXPECT_EQ(t[i].ne[d], shape[d]);
        const auto data = (*g)->tensorData(i);
        EXPECT_EQ(data.size(), want["bytes"].get<std::uint64_t>());
        EXPECT_EQ(shaOf(data), want["sha256"].get<std::string>());
    }
    // The header (magic, counts, metadata, tensor infos, padding) byte for byte.
    std::string head(m["data_offset"].get<std::size_t>(), '\0');
    std::ifstream in(gguf, std::ios::binary);
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    EXPECT_EQ(sha256Hex(head), m["header_sha256"].get<std::string>());
}

TEST(TestData, MadeReferenceGgufsAreLlamaCppsFilesPerManifest)
{
    for (const char* type : kTypes) expectMatchesManifest(referenceGguf(type), readJsonFile(manifestPath(type)));
}

// The sharded BF16 checkpoint converts (condense-cli quantize --type F32 / BF16) to the tensors
// PyTorch computed: llama.cpp names, reversed shapes, the BF16 bits or their exact float32 values.
TEST(TestData, ShardedBf16Qwen2ConvertsToTheValuesPyTorchComputed)
{
    const json expected = readJsonFile(tinyQwen2Dir() / "expected.json");
    ASSERT_FALSE(expected.is_discarded());
    TempDir dir;
    for (const char* type : {"F32", "BF16"}) {
        SCOPED_TRACE(type);
        const fs::path out = dir / (std::string(type) + ".gguf");
        const auto r = runCommand("'" + cliPath().string() + "' quantize '" + tinyQwen2Dir().string() + "' -o '" + out.string() + "' --type " + type);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        auto g = io::GgufFile::open(out);
        ASSERT_TRUE(g.ok()) << describe(g.error());
        EXPECT_EQ((*g)->getString("general.architecture"), "qwen2");
        EXPECT_EQ((*g)->getString("tokenizer.ggml.model"), "gpt2");
        EXPECT_EQ((*g)->getString("tokenizer.ggml.pre"), "qwen2");
        EXPECT_EQ((*g)->getUInt("qwen2.block_count"), 2u);
        EXPECT_EQ((*g)->getUInt("qwen2.embedding_length"), 64u);
        EXPECT_EQ((*g)->findTensor("output.weight"), -1); // tied
        ASSERT_EQ((*g)->tensors().size(), expected["tensors"].size());
        for (const json& e : expected["tensors"]) {
            const std::string name = e["gguf_name"].get<std::string>();
            SCOPED_TRACE(name);
            const auto i = (*g)->findTensor(name);
            ASSERT_GE(i, 0);
            const auto& t = (*g)->tensors()[static_cast<std::size_t>(i)];
            const auto ne = e["ne"].get<std::vector<std::uint64_t>>();
            ASSERT_EQ(t.nDims, ne.size());
            for (std::size_t d = 0; d < ne.size(); ++d) EXPECT_EQ(t.ne[d], ne[d]);
            // Norms and biases stay F32 in a BF16 file, as llama.cpp's converter keeps them.
            const bool f32 = std::string(type) == "F32" || ne.size() == 1;
            EXPECT_EQ(t.type, f32 ? DType::F32 : DType::BF16);
            EXPECT_EQ(shaOf((*g)->tensorData(static_cast<std::size_t>(i))), e[f32 ? "f32_sha256" : "bf16_sha256"].get<std::string>());
        }
    }
}

TEST(TestData, ReadmeAccountsForEveryFile)
{
    const std::string readme = readFile(requireFile(dataDir() / "README.md"));
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(dataDir())) {
        if (!e.is_regular_file()) continue;
        const std::string rel = fs::relative(e.path(), dataDir()).generic_string();
        if (rel == "README.md" || rel.find("__pycache__") != std::string::npos) continue;
        ++n;
        EXPECT_NE(readme.find("`" + rel + "`"), std::string::npos) << "tests/data/README.md does not mention `" << rel << "`";
    }
    EXPECT_GT(n, 20u);
}

// ---- extended: against ../shared/models ----------------------------------------------

TEST(TestDataExtended, ManifestsDescribeTheLlamaCppFilesAndTheMadeFilesAreThem)
{
    for (const char* type : kTypes) {
        const fs::path shared = sharedTinyLlamaDir() / "reference-gguf" / (std::string("tiny-llama-spm-") + type + ".gguf");
        expectMatchesManifest(requireFile(shared), readJsonFile(manifestPath(type)));
        EXPECT_TRUE(readFile(shared) == readFile(referenceGguf(type))) << type;
    }
}

TEST(TestDataExtended, InRepoCopiesEqualTheSharedFiles)
{
    const fs::path tiny = dataDir() / "tiny-llama-spm";
    const fs::path sharedTiny = sharedTinyLlamaDir();
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(tiny)) {
        if (!e.is_regular_file() || e.path().string().find(".manifest.json") != std::string::npos) continue;
        const fs::path rel = fs::relative(e.path(), tiny);
        EXPECT_TRUE(readFile(e.path()) == readFile(requireFile(sharedTiny / rel))) << rel;
        ++n;
    }
    EXPECT_EQ(n, 10u);
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json", "tokenizer.json",
                          "tokenizer.model", "tokenizer_config.json"})
        EXPECT_TRUE(readFile(demoDir() / f) == readFile(sharedTiny / f)) << f;
    EXPECT_TRUE(readFile(dataDir() / "eval" / "corpus-val.txt") == readFile(sharedDir() / "models" / "eval" / "corpus-val.txt"));
    for (const char* f : {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "golden/tokenizer.json"})
        EXPECT_TRUE(readFile(tinyQwen2Dir() / f) == readFile(qwen2Dir() / f)) << f;
}

} // namespace
} // namespace condense::test
