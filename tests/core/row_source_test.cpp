// quant::RowSource: rows of safetensors float tensors equal values decoded by hand here, rows of
// GGUF block tensors equal dequantizeRow of the stored blocks, llama.cpp order equals
// llama.cpp's own conversion (the reference F16 GGUF of the tiny model) and the permutation
// written out here, and every refusal is an error, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/io/gguf_file.h"
#include "core/quant/quant_registry.h"
#include "core/quant/row_source.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
using namespace condense::quant;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<const io::Checkpoint> openModel(const fs::path& p)
{
    jobs::NullSink sink;
    auto c = io::openCheckpoint(p, sink);
    if (!c) ADD_FAILURE() << p << ": " << describe(c.error());
    return c ? *c : nullptr;
}

// IEEE half by hand: sign, 5-bit exponent (bias 15), 10-bit fraction, subnormals.
float halfByHand(std::uint16_t h)
{
    const int sign = h >> 15;
    const int exp = (h >> 10) & 31;
    const int frac = h & 1023;
    double v;
    if (exp == 0) v = std::ldexp(frac, -24);
    else if (exp == 31) v = frac ? NAN : INFINITY;
    else v = std::ldexp(1024 + frac, exp - 25);
    return static_cast<float>(sign ? -v : v);
}

// bfloat16 by hand: the top 16 bits of an IEEE single.
float bf16ByHand(std::uint16_t b)
{
    const int sign = b >> 15;
    const int exp = (b >> 7) & 255;
    const int frac = b & 127;
    double v;
    if (exp == 0) v = std::ldexp(frac, -133);
    else if (exp == 255) v = frac ? NAN : INFINITY;
    else v = std::ldexp(128 + frac, exp - 134);
    return static_cast<float>(sign ? -v : v);
}

struct StTensor {
    std::string name;
    std::string dtype;
    std::vector<std::uint64_t> shape;
    std::string bytes;
};

void writeSafetensors(const fs::path& p, const std::vector<StTensor>& ts)
{
    nlohmann::ordered_json h = nlohmann::ordered_json::object();
    std::string data;
    for (const auto& t : ts) {
        h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
        data += t.bytes;
    }
    std::string header = h.dump();
    while (header.size() % 8) header += ' ';
    std::string out(8, '\0');
    const std::uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    test::writeFile(p, out + header + data);
}

std::string u16Bytes(const std::vector<std::uint16_t>& v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 2); }
std::string f32Bytes(const std::vector<float>& v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4); }

// Half / bf16 patterns covering normals, subnormals, zeros of both signs, large and small values.
std::vector<std::uint16_t> patterns(std::size_t n, std::uint16_t salt)
{
    std::vector<std::uint16_t> v(n);
    std::uint32_t x = 12345u + salt;
    for (std::size_t i = 0; i < n; ++i) {
        x = x * 1664525u + 1013904223u;
        std::uint16_t b = static_cast<std::uint16_t>(x >> 16);
        if ((b & 0x7c00) == 0x7c00) b &= 0xbfff; // F16: no Inf/NaN (exponent 31) in the plain patterns
        v[i] = b;
    }
    v[0] = 0x0000, v[1] = 0x8000, v[2] = 0x0001, v[3] = 0x3c00;
    return v;
}

std::vector<float> readAll(const RowSource& rs)
{
    std::vector<float> out(static_cast<std::size_t>(rs.rows() * rs.cols()));
    EXPECT_TRUE(rs.read(0, rs.rows(), out.data()).ok());
    return out;
}

bool sameBits(const std::vector<float>& a, const std::vector<float>& b)
{
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// llama.cpp's permutation written out as the reshape it is: rows (n_head, 2, d/2) -> (n_head,
// d/2, 2), i.e. destination row (head, i, j) holds source row (head, j, i).
std::uint64_t permutedFrom(std::uint64_t dst, std::uint64_t rows, std::uint64_t heads)
{
    const std::uint64_t perHead = rows / heads, half = perHead / 2;
    const std::uint64_t head = dst / perHead, i = (dst % perHead) / 2, j = (dst % perHead) % 2;
    return head * perHead + j * half + i;
}

TEST(RowSource, SafetensorsFloatRowsEqualValuesDecodedByHand)
{
    test::TempDir dir;
    const auto f16 = patterns(3 * 40, 1);
    const auto bf16 = patterns(2 * 24, 2);
    const std::vector<float> f32 = {0.0f, -0.0f, 1.5f, -2.25f, 3.0e-39f, 6.5e4f, 1e-7f, -123.0f};
    const auto vec = patterns(40, 3);
    writeSafetensors(dir / "m.safetensors", {{"h", "F16", {3, 40}, u16Bytes(f16)},
                                               {"b", "BF16", {2, 24}, u16Bytes(bf16)},
                                               {"f", "F32", {2, 4}, f32Bytes(f32)},
                                               {"v", "F16", {40}, u16Bytes(vec)}});
    auto ck = openModel(dir / "m.safetensors");
    ASSERT_TRUE(ck);

    for (const RowOrder order : {RowOrder::Source, RowOrder::LlamaCpp}) { // no config: nothing to permute
        auto h = RowSource::open(*ck, "h", order);
        ASSERT_TRUE(h.ok()) << describe(h.error());
        EXPECT_EQ(h->rows(), 3u);
        EXPECT_EQ(h->cols(), 40u);
        EXPECT_EQ(h->inputType(), DType::F16);
        std::vector<float> want;
        for (auto x : f16) want.push_back(halfByHand(x));
        EXPECT_TRUE(sameBits(readAll(*h), want));
        // One row at a time from the middle gives the same values.
        std::vector<float> row(40);
        ASSERT_TRUE(h->read(1, 1, row.data()).ok());
        EXPECT_EQ(std::memcmp(row.data(), want.data() + 40, 40 * sizeof(float)), 0);
        // As F16: the stored bytes; as F32: the floats.
        std::vector<std::uint16_t> asHalf(3 * 40);
        ASSERT_TRUE(h->readAs(DType::F16, 0, 3, asHalf.data()).ok());
        EXPECT_EQ(asHalf, f16);
        std::vector<float> asF32(3 * 40);
        ASSERT_TRUE(h->readAs(DType::F32, 0, 3, asF32.data()).ok());
        EXPECT_TRUE(sameBits(asF32, want));
    }

    auto b = RowSource::open(*ck, "b", RowOrder::Source);
    ASSERT_TRUE(b.ok()) << describe(b.error());
    EXPECT_EQ(b->inputType(), DType::BF16);
    std::vector<float> wantB;
    for (auto x : bf16) wantB.push_back(bf16ByHand(x));
    EXPECT_TRUE(sameBits(readAll(*b), wantB));

    auto f = RowSource::open(*ck, "f", RowOrder::Source);
    ASSERT_TRUE(f.ok()) << describe(f.error());
    EXPECT_EQ(f->rows(), 2u);
    EXPECT_EQ(f->cols(), 4u);
    EXPECT_TRUE(sameBits(readAll(*f), f32));
    std::vector<std::uint16_t> fAsHalf(8);
    ASSERT_TRUE(f->readAs(DType::F16, 0, 2, fAsHalf.data()).ok());
    EXPECT_EQ(fAsHalf[2], 0x3e00); // 1.5
    EXPECT_EQ(fAsHalf[3], 0xc080); // -2.25
    EXPECT_EQ(fAsHalf[5], 0x7bef); // 64992 (6.5e4 rounds to it)

    auto v = RowSource::open(*ck, "v", RowOrder::Source); // 1-D: one row
    ASSERT_TRUE(v.ok()) << describe(v.error());
    EXPECT_EQ(v->rows(), 1u);
    EXPECT_EQ(v->cols(), 40u);
    std::vector<float> wantV;
    for (auto x : vec) wantV.push_back(halfByHand(x));
    EXPECT_TRUE(sameBits(readAll(*v), wantV));
}

TEST(RowSource, SameTypeReadKeepsNanPayloads)
{
    const std::vector<std::uint16_t> bits = {0x7c01, 0xfe55, 0x7c00, 0x3c00}; // sNaN, -qNaN payload, +Inf, 1
    auto rs = RowSource::fromBytes("x", DType::F16, {1, 4}, std::as_bytes(std::span(bits)));
    ASSERT_TRUE(rs.ok()) << describe(rs.error());
    std::vector<std::uint16_t> out(4);
    ASSERT_TRUE(rs->readAs(DType::F16, 0, 1, out.data()).ok());
    EXPECT_EQ(out, bits);
    std::vector<float> f(4);
    ASSERT_TRUE(rs->read(0, 1, f.data()).ok());
    EXPECT_TRUE(std::isnan(f[0]) && std::isnan(f[1]) && std::isinf(f[2]) && f[3] == 1.0f);
}

void expectBlockRowsEqualDequantizeRow(const char* file, DType type)
{
    SCOPED_TRACE(file);
    auto ck = openModel(test::referenceGguf(file));
    ASSERT_TRUE(ck);
    const io::GgufFile& g = *ck->gguf();
    const QuantKernels* k = quantKernels(type);
    ASSERT_NE(k, nullptr);
    int checked = 0;
    for (std::size_t i = 0; i < g.tensors().size(); ++i) {
        const io::GgufTensorInfo& t = g.tensors()[i];
        if (t.type != type) continue;
        SCOPED_TRACE(t.name);
        const std::uint64_t cols = t.ne[0];
        const DTypeTraits* tr = dtypeTraits(type);
        const std::uint64_t rowBytes = cols / tr->blockSize * tr->blockBytes;
        const std::span<const std::byte> data = g.tensorData(i);
        const std::uint64_t rows = data.size() / rowBytes;
        std::vector<float> want(static_cast<std::size_t>(rows * cols));
        for (std::uint64_t r = 0; r < rows; ++r)
            k->dequantizeRow(data.data() + r * rowBytes, want.data() + r * cols, static_cast<std::int64_t>(cols));
        for (const RowOrder order : {RowOrder::Source, RowOrder::LlamaCpp}) { // GGUF: stored in llama.cpp order
            auto rs = RowSource::open(*ck, t.name, order);
            ASSERT_TRUE(rs.ok()) << describe(rs.error());
            EXPECT_EQ(rs->inputType(), type);
            EXPECT_EQ(rs->rows(), rows);
            EXPECT_EQ(rs->cols(), cols);
            EXPECT_TRUE(sameBits(readAll(*rs), want));
            // A row in the middle, on its own.
            std::vector<float> one(static_cast<std::size_t>(cols));
            ASSERT_TRUE(rs->read(rows / 2, 1, one.data()).ok());
            EXPECT_EQ(std::memcmp(one.data(), want.data() + rows / 2 * cols, cols * sizeof(float)), 0);
        }
        if (++checked == 3) break;
    }
    EXPECT_GT(checked, 0) << "no " << dtypeName(type) << " tensor in " << file;
}

TEST(RowSource, GgufBlockRowsEqualDequantizeRowOfTheStoredBlocks)
{
    expectBlockRowsEqualDequantizeRow("Q4_0", DType::Q4_0);
    expectBlockRowsEqualDequantizeRow("Q8_0", DType::Q8_0);
    expectBlockRowsEqualDequantizeRow("Q4_K_M", DType::Q4_K);
}

TEST(RowSource, LlamaOrderOfHfQueryAndKeyIsLlamaCppsConversion)
{
    auto hf = openModel(test::tinyLlamaDir());
    auto ref = openModel(test::referenceGguf("F16"));
    ASSERT_TRUE(hf && ref);
    const io::GgufFile& g = *ref->gguf();
    const int layers = static_cast<int>(hf->spec().numLayers);
    ASSERT_GT(layers, 0);
    int checked = 0;
    for (int n = 0; n < layers; ++n)
        for (const auto& [hfPart, ggufPart, heads] : {std::tuple{"q_proj", "attn_q", hf->spec().numHeads},
                                                      std::tuple{"k_proj", "attn_k", hf->spec().numKvHeads}}) {
            const std::string hfName = "model.layers." + std::to_string(n) + ".self_attn." + hfPart + ".weight";
            const std::string ggufName = "blk." + std::to_string(n) + "." + ggufPart + ".weight";
            SCOPED_TRACE(hfName);
            auto llama = RowSource::open(*hf, hfName, RowOrder::LlamaCpp);
            auto source = RowSource::open(*hf, hfName, RowOrder::Source);
            ASSERT_TRUE(llama.ok() && source.ok());
            EXPECT_EQ(llama->permuteHeads(), heads);
            EXPECT_EQ(source->permuteHeads(), 0u);
            EXPECT_EQ(llamaCppPermuteHeads(*hf, static_cast<std::size_t>(hf->findTensor(hfName))), heads);
            // Exactly the rows llama.cpp's converter wrote.
            const std::int64_t gi = g.findTensor(ggufName);
            ASSERT_GE(gi, 0);
            const std::span<const std::byte> stored = g.tensorData(static_cast<std::size_t>(gi));
            std::vector<std::byte> ours(static_cast<std::size_t>(llama->rows() * llama->cols() * 2));
            ASSERT_TRUE(llama->readAs(DType::F16, 0, llama->rows(), ours.data()).ok());
            ASSERT_EQ(ours.size(), stored.size());
            EXPECT_EQ(std::memcmp(ours.data(), stored.data(), ours.size()), 0);
            auto refRows = RowSource::open(*ref, ggufName, RowOrder::Source);
            ASSERT_TRUE(refRows.ok());
            const std::vector<float> l = readAll(*llama);
            EXPECT_TRUE(sameBits(l, readAll(*refRows)));
            // And the permutation formula applied to the source order.
            const std::vector<float> s = readAll(*source);
            const std::uint64_t rows = source->rows(), cols = source->cols();
            EXPECT_NE(l, s); // the permutation moves rows
            for (std::uint64_t r = 0; r < rows; ++r) {
                EXPECT_EQ(llama->sourceRow(r), permutedFrom(r, rows, heads));
                ASSERT_EQ(std::memcmp(l.data() + r * cols, s.data() + permutedFrom(r, rows, heads) * cols, cols * sizeof(float)), 0) << "row " << r;
            }
            ++checked;
        }
    EXPECT_EQ(checked, 2 * layers);
    // Tensors that are not Q/K keep their order in both.
    auto v = RowSource::open(*hf, "model.layers.0.self_attn.v_proj.weight", RowOrder::LlamaCpp);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v->permuteHeads(), 0u);
}

TEST(RowSource, OneDimensionalBiasValuesArePermuted)
{
    std::vector<float> bias(16);
    for (std::size_t i = 0; i < bias.size(); ++i) bias[i] = static_cast<float>(i);
    auto rs = RowSource::fromBytes("q_proj.bias", DType::F32, {16}, std::as_bytes(std::span(bias)), 2);
    ASSERT_TRUE(rs.ok()) << describe(rs.error());
    EXPECT_EQ(rs->rows(), 1u);
    std::vector<float> out(16);
    ASSERT_TRUE(rs->read(0, 1, out.data()).ok());
    for (std::uint64_t i = 0; i < 16; ++i) EXPECT_EQ(out[i], static_cast<float>(permutedFrom(i, 16, 2))) << i;
    std::vector<std::uint16_t> half(16);
    ASSERT_TRUE(rs->readAs(DType::F16, 0, 1, half.data()).ok());
    EXPECT_EQ(half[1], 0x4400); // 4.0: the second value comes from the second half of head 0
}

TEST(RowSource, ReadingFromManyThreadsGivesTheSameRows)
{
    auto hf = openModel(test::tinyLlamaDir());
    ASSERT_TRUE(hf);
    auto rs = RowSource::open(*hf, "model.layers.1.self_attn.q_proj.weight", RowOrder::LlamaCpp);
    ASSERT_TRUE(rs.ok());
    const std::vector<float> want = readAll(*rs);
    std::vector<std::vector<float>> got(4, std::vector<float>(want.size()));
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < got.size(); ++t)
        threads.emplace_back([&, t] {
            for (std::uint64_t r = t; r < rs->rows(); r += got.size())
                if (!rs->read(r, 1, got[t].data() + r * rs->cols())) ADD_FAILURE();
        });
    for (auto& th : threads) th.join();
    for (std::uint64_t r = 0; r < rs->rows(); ++r)
        ASSERT_EQ(std::memcmp(got[r % got.size()].data() + r * rs->cols(), want.data() + r * rs->cols(), rs->cols() * sizeof(float)), 0);
}

TEST(RowSource, ReleasedRowsReadTheSameAfterwards)
{
    auto hf = openModel(test::tinyLlamaDir());
    ASSERT_TRUE(hf);
    for (const char* name : {"model.embed_tokens.weight", "model.layers.2.self_attn.k_proj.weight"}) {
        auto rs = RowSource::open(*hf, name, RowOrder::LlamaCpp);
        ASSERT_TRUE(rs.ok());
        const std::vector<float> before = readAll(*rs);
        for (std::uint64_t r = 0; r < rs->rows(); r += 7) rs->releaseConsumed(r, std::min<std::uint64_t>(7, rs->rows() - r));
        rs->releaseConsumed(0, rs->rows() + 1); // out of range: ignored
        EXPECT_TRUE(sameBits(readAll(*rs), before)) << name; // the pages come back from the file
    }
}

TEST(RowSource, RefusalsAreErrors)
{
    std::vector<std::uint16_t> half(2 * 32, 0x3c00);
    const auto bytes = std::as_bytes(std::span(half));
    auto ok = RowSource::fromBytes("t", DType::F16, {2, 32}, bytes, 0, "file.safetensors");
    ASSERT_TRUE(ok.ok());
    std::vector<float> out(3 * 32);

    // Rows out of range.
    for (const auto& [first, n] : {std::pair<std::uint64_t, std::uint64_t>{2, 1}, {1, 2}, {3, 0}, {0, ~std::uint64_t{0}}}) {
        Status s = ok->read(first, n, out.data());
        ASSERT_FALSE(s.ok()) << first << "+" << n;
        EXPECT_EQ(s.error().code, ErrorCode::OutOfRange);
        EXPECT_EQ(s.error().tensor, "t");
        EXPECT_EQ(s.error().file, "file.safetensors");
        EXPECT_EQ(ok->readAs(DType::F16, first, n, out.data()).error().code, ErrorCode::OutOfRange);
    }
    EXPECT_TRUE(ok->read(2, 0, out.data()).ok()); // nothing at the end is fine
    // Only float types come out of readAs.
    EXPECT_EQ(ok->readAs(DType::Q4_0, 0, 1, out.data()).error().code, ErrorCode::InvalidArgument);

    // Unsupported stored types: integers, block types without kernels.
    std::vector<std::int32_t> ints(64);
    EXPECT_EQ(RowSource::fromBytes("i", DType::I32, {2, 32}, std::as_bytes(std::span(ints))).error().code, ErrorCode::UnsupportedType);
    ASSERT_EQ(quantKernels(DType::IQ2_XXS), nullptr);
    std::vector<std::byte> iq(66 * 2);
    EXPECT_EQ(RowSource::fromBytes("iq", DType::IQ2_XXS, {2, 256}, iq).error().code, ErrorCode::UnsupportedType);

    // Truncated (or too long) data, rows that are not whole blocks.
    auto shortData = RowSource::fromBytes("t", DType::F16, {2, 32}, bytes.first(bytes.size() - 2));
    ASSERT_FALSE(shortData.ok());
    EXPECT_EQ(shortData.error().code, ErrorCode::Malformed);
    EXPECT_EQ(shortData.error().tensor, "t");
    EXPECT_EQ(RowSource::fromBytes("t", DType::F16, {1, 32}, bytes).error().code, ErrorCode::Malformed);
    std::vector<std::byte> q8(34 * 2);
    EXPECT_TRUE(RowSource::fromBytes("q", DType::Q8_0, {2, 32}, q8).ok());
    EXPECT_EQ(RowSource::fromBytes("q", DType::Q8_0, {2, 32}, std::span(q8).first(34 * 2 - 1)).error().code, ErrorCode::Malformed);
    EXPECT_EQ(RowSource::fromBytes("q", DType::Q8_0, {4, 16}, q8).error().code, ErrorCode::Malformed);

    // Rows that cannot be split into the rotary heads.
    auto heads = RowSource::fromBytes("t", DType::F16, {2, 32}, bytes, 2);
    ASSERT_FALSE(heads.ok());
    EXPECT_EQ(heads.error().code, ErrorCode::Malformed);
    EXPECT_TRUE(RowSource::fromBytes("t", DType::F16, {2, 32}, bytes, 1).ok());

    // Tensors a checkpoint does not have.
    auto ck = openModel(test::referenceGguf("Q8_0"));
    ASSERT_TRUE(ck);
    auto missing = RowSource::open(*ck, "no.such.tensor", RowOrder::Source);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::MissingTensor);
    EXPECT_EQ(missing.error().tensor, "no.such.tensor");
    EXPECT_EQ(RowSource::open(*ck, ck->tensors().size(), RowOrder::Source).error().code, ErrorCode::OutOfRange);
}

} // namespace
