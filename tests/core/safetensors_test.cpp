// SafetensorsFile against the transformers-written files in ../shared/models: the header is
// decoded here independently (u64 length + JSON, parsed with nlohmann) and every tensor's
// dtype, shape and byte range must agree; plus the dtypes and shapes real checkpoints have
// but these two models do not (integer dtypes, scalars, empty tensors, metadata).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <map>

#include "core/io/safetensors_file.h"
#include "tests/support/malformed.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RefHeader {
    std::uint64_t headerBytes = 0;
    json header;
};

RefHeader readHeader(const fs::path& p)
{
    const std::string bytes = readFile(p);
    RefHeader r;
    std::memcpy(&r.headerBytes, bytes.data(), 8);
    r.header = json::parse(bytes.substr(8, static_cast<std::size_t>(r.headerBytes)));
    return r;
}

void expectMatchesHeader(const fs::path& p, const char* dtype)
{
    const RefHeader ref = readHeader(p);
    auto st = io::SafetensorsFile::open(p);
    ASSERT_TRUE(st.ok()) << describe(st.error());
    const auto& f = **st;
    EXPECT_EQ(f.dataOffset(), 8 + ref.headerBytes);
    std::size_t n = 0;
    for (auto it = ref.header.begin(); it != ref.header.end(); ++it) {
        if (it.key() == "__metadata__") {
            for (auto m = it->begin(); m != it->end(); ++m) EXPECT_EQ(f.metadata().at(m.key()), m->get<std::string>());
            continue;
        }
        ++n;
        const auto found = std::find_if(f.tensors().begin(), f.tensors().end(), [&](const auto& t) { return t.name == it.key(); });
        ASSERT_NE(found, f.tensors().end()) << it.key();
        EXPECT_EQ(std::string(dtypeName(found->dtype)), (*it)["dtype"].get<std::string>()) << it.key();
        EXPECT_EQ((*it)["dtype"].get<std::string>(), dtype) << it.key();
        EXPECT_EQ(found->shape, (*it)["shape"].get<std::vector<std::uint64_t>>()) << it.key();
        EXPECT_EQ(found->begin, (*it)["data_offsets"][0].get<std::uint64_t>()) << it.key();
        EXPECT_EQ(found->end, (*it)["data_offsets"][1].get<std::uint64_t>()) << it.key();
        const auto data = f.tensorData(static_cast<std::size_t>(found - f.tensors().begin()));
        EXPECT_EQ(data.data(), f.file()->data() + f.dataOffset() + found->begin);
        EXPECT_EQ(data.size(), found->end - found->begin);
    }
    EXPECT_EQ(f.tensors().size(), n);
}

TEST(SafetensorsFile, TinyLlamaMatchesItsHeader)
{
    expectMatchesHeader(tinyLlamaDir() / "model.safetensors", "F16");
    auto st = io::SafetensorsFile::open(tinyLlamaDir() / "model.safetensors");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ((*st)->tensors().size(), 57u);
}

TEST(SafetensorsFile, Qwen2ShardsMatchTheirHeaders)
{
    expectMatchesHeader(tinyQwen2Dir() / "model-00001-of-00002.safetensors", "BF16");
    expectMatchesHeader(tinyQwen2Dir() / "model-00002-of-00002.safetensors", "BF16");
}

// The tensors are listed by name, as the Python API iterates them.
TEST(SafetensorsFile, TensorsSortedByName)
{
    auto st = io::SafetensorsFile::open(tinyLlamaDir() / "model.safetensors");
    ASSERT_TRUE(st.ok());
    const auto& t = (*st)->tensors();
    EXPECT_TRUE(std::is_sorted(t.begin(), t.end(), [](const auto& a, const auto& b) { return a.name < b.name; }));
}

TEST(SafetensorsFile, IntegerDtypesScalarsEmptyTensorsAndMetadata)
{
    SafetensorsBuilder b;
    b.tensor("a.i64", "I64", {3}, 8)
        .tensor("b.i32", "I32", {2, 2}, 4)
        .tensor("c.u8", "U8", {5}, 1)
        .tensor("d.bool", "BOOL", {4}, 1)
        .tensor("e.scalar", "F32", {}, 4)
        .tensor("f.empty", "F16", {0, 8}, 2)
        .tensor("g.f64", "F64", {1}, 8)
        .tensor("h.i16", "I16", {2}, 2)
        .tensor("i.u16", "U16", {2}, 2)
        .tensor("j.u32", "U32", {1}, 4)
        .tensor("k.u64", "U64", {1}, 8)
        .tensor("l.i8", "I8", {3}, 1)
        .tensor("m.f8", "F8_E4M3", {4}, 1)
        .metadata("format", "pt")
        .metadata("note", "hello");
    TempDir tmp;
    writeFile(tmp / "x.safetensors", b.build());
    auto st = io::SafetensorsFile::open(tmp / "x.safetensors");
    ASSERT_TRUE(st.ok()) << describe(st.error());
    const auto& t = (*st)->tensors();
    ASSERT_EQ(t.size(), 13u);
    const std::map<std::string, DType> want = {
        {"a.i64", DType::I64}, {"b.i32", DType::I32}, {"c.u8", DType::U8}, {"d.bool", DType::Bool},
        {"e.scalar", DType::F32}, {"f.empty", DType::F16}, {"g.f64", DType::F64}, {"h.i16", DType::I16},
        {"i.u16", DType::U16}, {"j.u32", DType::U32}, {"k.u64", DType::U64}, {"l.i8", DType::I8}, {"m.f8", DType::F8_E4M3},
    };
    for (const auto& x : t) EXPECT_EQ(x.dtype, want.at(x.name)) << x.name;
    EXPECT_TRUE(t[4].shape.empty());
    EXPECT_EQ(t[4].bytes(), 4u);
    EXPECT_EQ(t[5].bytes(), 0u);
    EXPECT_EQ((*st)->metadata().at("note"), "hello");
    // Tensor bytes are exactly the buffer slices the builder wrote.
    const std::string buffer = b.buffer();
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto d = (*st)->tensorData(i);
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.data()), d.size()),
                  buffer.substr(static_cast<std::size_t>(t[i].begin), static_cast<std::size_t>(t[i].bytes())));
    }
}

// A zero-byte tensor may sit at the same offset as its neighbour without "overlapping".
TEST(SafetensorsFile, EmptyTensorSharingAnOffsetIsFine)
{
    TempDir tmp;
    const std::string h = R"({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
                              "b": {"dtype": "U8", "shape": [0], "data_offsets": [0, 0]}})";
    writeFile(tmp / "x.safetensors", SafetensorsBuilder::assemble(h, "xy"));
    auto st = io::SafetensorsFile::open(tmp / "x.safetensors");
    ASSERT_TRUE(st.ok()) << describe(st.error());
    EXPECT_EQ((*st)->tensors().size(), 2u);
}

} // namespace
} // namespace condense::test
