// Packing of integer-quantized linears into the Hugging Face checkpoint formats
// (core/quant/packed_linear.h): GPTQ v1/v2 (formats.md 6.2), compressed-tensors pack-quantized,
// AutoAWQ GEMM (formats.md 7.2). Round trips for every format and bit width, the 3-bit stream and
// the AWQ nibble order against independent readings of the format texts, AWQ's grid against its
// formula, and hostile packed tensors.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/quant/awq.h"
#include "core/quant/awq_packing.h"
#include "core/quant/gptq.h"
#include "core/quant/gptq_packing.h"
#include "core/quant/packed_linear.h"
#include "core/tensor/float_convert.h"

namespace condense::quant {
namespace {

Result<GptqResult> awqGrid(std::span<const float> w, std::int64_t rows, std::int64_t cols, int bits, std::int64_t group,
                           bool halfScales = true)
{
    AwqOptions o;
    o.bits = bits;
    o.groupSize = group;
    o.zeroPoint = true;
    o.halfScales = halfScales;
    return awqQuantize(w, rows, cols, o);
}

std::vector<float> randomWeight(std::int64_t rows, std::int64_t cols, unsigned seed)
{
    std::mt19937 gen(seed);
    std::normal_distribution<float> d(0.0f, 0.05f);
    std::vector<float> w(static_cast<std::size_t>(rows * cols));
    for (auto& x : w) x = d(gen);
    w[3] = 0.4f; // an outlier
    return w;
}

std::vector<PackedView> views(const std::vector<PackedTensor>& t)
{
    std::vector<PackedView> v;
    for (const auto& p : t) v.push_back({p.suffix, p.dtype, p.shape, p.data});
    return v;
}

const PackedTensor& tensor(const std::vector<PackedTensor>& t, const std::string& suffix)
{
    for (const auto& p : t)
        if (p.suffix == suffix) return p;
    ADD_FAILURE() << "no " << suffix;
    return t.front();
}

std::uint32_t word(const PackedTensor& t, std::size_t i)
{
    std::uint32_t w = 0;
    std::memcpy(&w, t.data.data() + 4 * i, 4);
    return w;
}

float halfAt(const PackedTensor& t, std::size_t i)
{
    std::uint16_t h = 0;
    std::memcpy(&h, t.data.data() + 2 * i, 2);
    return fp16ToFp32(h);
}

void expectSameResult(const GptqResult& a, const GptqResult& b)
{
    ASSERT_EQ(a.rows, b.rows);
    ASSERT_EQ(a.cols, b.cols);
    ASSERT_EQ(a.groups, b.groups);
    EXPECT_EQ(a.codes, b.codes);
    EXPECT_EQ(a.zeros, b.zeros);
    EXPECT_EQ(a.scales, b.scales);
    EXPECT_EQ(a.gIdx, b.gIdx);
    ASSERT_EQ(a.dequantized.size(), b.dequantized.size());
    EXPECT_EQ(0, std::memcmp(a.dequantized.data(), b.dequantized.data(), a.dequantized.size() * sizeof(float)));
}

GptqResult rtn(std::int64_t rows, std::int64_t cols, int bits, std::int64_t group, bool sym, unsigned seed)
{
    GptqOptions o;
    o.bits = bits;
    o.groupSize = group;
    o.symmetric = sym;
    auto r = rtnQuantize(randomWeight(rows, cols, seed), rows, cols, o);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(roundScalesToHalf(*r).ok());
    return std::move(*r);
}

// A desc_act-like g_idx: groups assigned to a scrambled column order.
void scrambleGroups(GptqResult& r, std::int64_t group)
{
    std::vector<std::int32_t> perm(static_cast<std::size_t>(r.cols));
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<std::int32_t>((i * 7 + 3) % perm.size());
    for (std::size_t k = 0; k < perm.size(); ++k) r.gIdx[static_cast<std::size_t>(perm[k])] = static_cast<std::int32_t>(k / static_cast<std::size_t>(group));
    dequantizeCodes(r);
}

TEST(HfPacking, GptqRoundTripsEveryBitWidth)
{
    for (int bits : {2, 3, 4, 8}) {
        for (auto format : {HfQuantFormat::GptqV1, HfQuantFormat::GptqV2}) {
            for (std::int64_t group : {std::int64_t{-1}, std::int64_t{32}}) {
                const bool sym = format == HfQuantFormat::GptqV1;
                SCOPED_TRACE(std::to_string(bits) + " bits, " + std::string(hfQuantFormatName(format)) + ", group " + std::to_string(group));
                const GptqResult r = rtn(32, 96, bits, group, sym, static_cast<unsigned>(bits));
                const PackConfig cfg{format, bits, group, sym, false};
                auto packed = packLinear(r, cfg);
                ASSERT_TRUE(packed.ok()) << describe(packed.error());
                EXPECT_EQ(tensor(*packed, "qweight").shape, (std::vector<std::uint64_t>{96u * static_cast<unsigned>(bits) / 32u, 32}));
                EXPECT_EQ(tensor(*packed, "qzeros").shape,
                          (std::vector<std::uint64_t>{static_cast<std::uint64_t>(r.groups), 32u * static_cast<unsigned>(bits) / 32u}));
                auto back = unpackLinear(views(*packed), cfg);
                ASSERT_TRUE(back.ok()) << describe(back.error());
                expectSameResult(r, *back);
            }
        }
    }
}

TEST(HfPacking, GptqActOrderGIdxRoundTrips)
{
    GptqResult r = rtn(32, 64, 4, 16, true, 11);
    scrambleGroups(r, 16);
    const PackConfig cfg{HfQuantFormat::GptqV1, 4, 16, true, true};
    auto packed = packLinear(r, cfg);
    ASSERT_TRUE(packed.ok());
    auto back = unpackLinear(views(*packed), cfg);
    ASSERT_TRUE(back.ok()) << describe(back.error());
    expectSameResult(r, *back);
}

TEST(HfPacking, GptqV1SymmetricFourBitZerosAreSevens)
{
    const GptqResult r = rtn(16, 32, 4, 16, true, 5);
    auto packed = packLinear(r, {HfQuantFormat::GptqV1, 4, 16, true, false});
    ASSERT_TRUE(packed.ok());
    const auto& z = tensor(*packed, "qzeros");
    for (std::size_t i = 0; i < z.data.size() / 4; ++i) EXPECT_EQ(word(z, i), 0x77777777u);
    // The v2 file stores the zero itself.
    auto v2 = packLinear(r, {HfQuantFormat::GptqV2, 4, 16, true, false});
    ASSERT_TRUE(v2.ok());
    EXPECT_EQ(word(tensor(*v2, "qzeros"), 0), 0x88888888u);
}

TEST(HfPacking, GptqFourBitWordHoldsLowestInputInLowBits)
{
    GptqResult r = rtn(32, 32, 4, -1, true, 9);
    for (std::int64_t c = 0; c < 32; ++c) r.codes[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c % 16); // row 0
    auto packed = packLinear(r, {HfQuantFormat::GptqV1, 4, -1, true, false});
    ASSERT_TRUE(packed.ok());
    const auto& q = tensor(*packed, "qweight"); // [4, 32]: word (w, o) at w * 32 + o
    EXPECT_EQ(word(q, 0), 0x76543210u);
    EXPECT_EQ(word(q, 32), 0xFEDCBA98u);
}

// formats.md 6.2's bit description of the 3-bit stream, word by word.
TEST(HfPacking, ThreeBitStreamMatchesHandBuiltWords)
{
    std::array<std::uint8_t, 32> v{};
    for (std::size_t i = 0; i < 32; ++i) v[i] = static_cast<std::uint8_t>((i * 5 + 3) % 8);
    v[10] = 6; // binary 110: low 2 bits 10, high bit 1
    v[21] = 5; // binary 101: low bit 1, high 2 bits 10
    std::uint32_t w0 = 0, w1 = 0, w2 = 0;
    for (std::uint32_t i = 0; i <= 9; ++i) w0 |= std::uint32_t{v[i]} << (3 * i);
    w0 |= std::uint32_t{v[10] & 3u} << 30;
    w1 |= std::uint32_t{v[10]} >> 2;
    for (std::uint32_t i = 11; i <= 20; ++i) w1 |= std::uint32_t{v[i]} << (3 * (i - 11) + 1);
    w1 |= std::uint32_t{v[21] & 1u} << 31;
    w2 |= std::uint32_t{v[21]} >> 1;
    for (std::uint32_t i = 22; i <= 31; ++i) w2 |= std::uint32_t{v[i]} << (3 * (i - 22) + 2);

    const auto words = packBitStream(v, 3);
    ASSERT_EQ(words.size(), 3u);
    EXPECT_EQ(words[0], w0);
    EXPECT_EQ(words[1], w1);
    EXPECT_EQ(words[2], w2);
    EXPECT_EQ(unpackBitStream(words, 3, 32), std::vector<std::uint8_t>(v.begin(), v.end()));

    // Through the packer: column 0 of a 3-bit qweight is this stream.
    GptqResult r = rtn(32, 32, 3, -1, true, 4);
    for (std::size_t i = 0; i < 32; ++i) r.codes[i] = v[i];
    auto packed = packLinear(r, {HfQuantFormat::GptqV1, 3, -1, true, false});
    ASSERT_TRUE(packed.ok());
    const auto& q = tensor(*packed, "qweight"); // [3, 32]
    EXPECT_EQ(word(q, 0), w0);
    EXPECT_EQ(word(q, 32), w1);
    EXPECT_EQ(word(q, 64), w2);
}

TEST(HfPacking, CompressedTensorsRoundTrips)
{
    for (int bits : {4, 8}) {
        for (bool sym : {true, false}) {
            for (std::int64_t group : {std::int64_t{-1}, std::int64_t{32}}) {
                SCOPED_TRACE(std::to_string(bits) + " bits, sym " + std::to_string(sym) + ", group " + std::to_string(group));
                const GptqResult r = rtn(20, 96, bits, group, sym, static_cast<unsigned>(bits * 3 + sym));
                const PackConfig cfg{HfQuantFormat::CompressedTensors, bits, group, sym, false};
                auto packed = packLinear(r, cfg);
                ASSERT_TRUE(packed.ok()) << describe(packed.error());
                const std::uint64_t k = 32u / static_cast<unsigned>(bits);
                EXPECT_EQ(tensor(*packed, "weight_packed").shape, (std::vector<std::uint64_t>{20, 96 / k}));
                EXPECT_EQ(tensor(*packed, "weight_scale").shape, (std::vector<std::uint64_t>{20, static_cast<std::uint64_t>(r.groups)}));
                const auto& shape = tensor(*packed, "weight_shape");
                EXPECT_EQ(shape.dtype, DType::I64);
                std::int64_t dims[2];
                std::memcpy(dims, shape.data.data(), 16);
                EXPECT_EQ(dims[0], 20);
                EXPECT_EQ(dims[1], 96);
                bool hasZp = false;
                for (const auto& t : *packed) hasZp = hasZp || t.suffix == "weight_zero_point";
                EXPECT_EQ(hasZp, !sym);
                if (!sym) {
                    EXPECT_EQ(tensor(*packed, "weight_zero_point").shape,
                              (std::vector<std::uint64_t>{(20 + k - 1) / k, static_cast<std::uint64_t>(r.groups)}));
                }
                // Row 0's first word: codes (= signed value + 2^(bits-1)) LSB first; scale [0, 0].
                std::uint32_t w = 0;
                for (std::uint64_t j = 0; j < k; ++j) w |= std::uint32_t{r.codes[j]} << (static_cast<unsigned>(bits) * j);
                EXPECT_EQ(word(tensor(*packed, "weight_packed"), 0), w);
                EXPECT_EQ(halfAt(tensor(*packed, "weight_scale"), 1), r.scales[static_cast<std::size_t>(r.groups > 1 ? 20 : 1)]);
                auto back = unpackLinear(views(*packed), cfg);
                ASSERT_TRUE(back.ok()) << describe(back.error());
                expectSameResult(r, *back);
            }
        }
    }
}

TEST(HfPacking, CompressedTensorsActOrderWritesGIdx)
{
    GptqResult r = rtn(16, 64, 4, 16, true, 21);
    scrambleGroups(r, 16);
    EXPECT_FALSE(packLinear(r, {HfQuantFormat::CompressedTensors, 4, 16, true, false}).ok());
    const PackConfig cfg{HfQuantFormat::CompressedTensors, 4, 16, true, true};
    auto packed = packLinear(r, cfg);
    ASSERT_TRUE(packed.ok());
    EXPECT_EQ(tensor(*packed, "weight_g_idx").shape, (std::vector<std::uint64_t>{64}));
    auto back = unpackLinear(views(*packed), cfg);
    ASSERT_TRUE(back.ok());
    expectSameResult(r, *back);
}

TEST(HfPacking, AwqGemmRoundTrips)
{
    auto q = awqGrid(randomWeight(24, 64, 3), 24, 64, 4, 32);
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(roundScalesToHalf(*q).ok());
    const PackConfig cfg{HfQuantFormat::AwqGemm, 4, 32, false, false};
    auto packed = packLinear(*q, cfg);
    ASSERT_TRUE(packed.ok()) << describe(packed.error());
    EXPECT_EQ(tensor(*packed, "qweight").shape, (std::vector<std::uint64_t>{64, 3}));
    EXPECT_EQ(tensor(*packed, "qzeros").shape, (std::vector<std::uint64_t>{2, 3}));
    EXPECT_EQ(tensor(*packed, "scales").shape, (std::vector<std::uint64_t>{2, 24}));
    auto back = unpackLinear(views(*packed), cfg);
    ASSERT_TRUE(back.ok()) << describe(back.error());
    expectSameResult(*q, *back);
}

// Dequantizes the GEMM tensors as formats.md 7.2 describes AutoAWQ's reading, with no helper of
// the packer: output column 8c + k sits in nibble AWQ_REVERSE_ORDER[k] of word c.
TEST(HfPacking, AwqGemmMatchesIndependentReverseOrderReading)
{
    const std::int64_t rows = 16, cols = 64, group = 32;
    auto q = awqGrid(randomWeight(rows, cols, 8), rows, cols, 4, group);
    ASSERT_TRUE(q.ok());
    ASSERT_TRUE(roundScalesToHalf(*q).ok());
    auto packed = packLinear(*q, {HfQuantFormat::AwqGemm, 4, group, false, false});
    ASSERT_TRUE(packed.ok());
    const int reverseOrder[8] = {0, 4, 1, 5, 2, 6, 3, 7};
    const auto& qw = tensor(*packed, "qweight");
    const auto& qz = tensor(*packed, "qzeros");
    const auto& sc = tensor(*packed, "scales");
    const std::size_t words = static_cast<std::size_t>(rows) / 8;
    for (std::int64_t i = 0; i < cols; ++i) {
        for (std::int64_t o = 0; o < rows; ++o) {
            const std::size_t c = static_cast<std::size_t>(o) / 8;
            const int nibble = reverseOrder[o % 8];
            const std::uint32_t qv = (word(qw, static_cast<std::size_t>(i) * words + c) >> (4 * nibble)) & 15u;
            const std::size_t g = static_cast<std::size_t>(i / group);
            const std::uint32_t zv = (word(qz, g * words + c) >> (4 * nibble)) & 15u;
            const float s = halfAt(sc, g * static_cast<std::size_t>(rows) + static_cast<std::size_t>(o));
            const auto expect = static_cast<float>(static_cast<double>(s) * (double(qv) - double(zv)));
            ASSERT_EQ(expect, q->dequantized[static_cast<std::size_t>(o * cols + i)]) << "o " << o << " i " << i;
            ASSERT_EQ(qv, q->codes[static_cast<std::size_t>(o * cols + i)]);
        }
    }
    // Word 0 of the first input: nibbles hold columns 0, 2, 4, 6, 1, 3, 5, 7.
    std::uint32_t w = 0;
    const int order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    for (int n = 0; n < 8; ++n) w |= std::uint32_t{q->codes[static_cast<std::size_t>(order[n] * cols)]} << (4 * n);
    EXPECT_EQ(word(qw, 0), w);
}

// The grid the AWQ export uses for --method rtn (quant::awqQuantize, core/quant/awq.h).
TEST(HfPacking, AwqGridDoesNotForceZeroIntoTheRange)
{
    // Row 0: [-1, 0.5, 2.1, 3]: scale 4/15, zero -round(-3.75) = 4, codes 0, 6, 12, 15.
    // Row 1: [1, 2, 3, 4]: scale 0.2, zero clamp(-round(5)) = 0, codes 5, 10, 15, 15 (GPTQ's grid
    // would take [0, 4]).
    const std::vector<float> w{-1.0f, 0.5f, 2.1f, 3.0f, 1.0f, 2.0f, 3.0f, 4.0f};
    auto q = awqGrid(w, 2, 4, 4, 4, false);
    ASSERT_TRUE(q.ok());
    EXPECT_FLOAT_EQ(q->scales[0], static_cast<float>(4.0 / 15.0));
    EXPECT_EQ(q->zeros[0], 4);
    EXPECT_EQ(q->zeros[1], 0);
    EXPECT_FLOAT_EQ(q->scales[1], static_cast<float>(3.0 / 15.0));
    EXPECT_EQ(q->codes, (std::vector<std::uint8_t>{0, 6, 12, 15, 5, 10, 15, 15}));
    EXPECT_FALSE(awqGrid(w, 2, 4, 4, 3).ok()); // group does not divide in_features
}

TEST(HfPacking, RefusesWhatAFormatCannotHold)
{
    const GptqResult asym = rtn(32, 64, 4, 32, false, 2);
    EXPECT_FALSE(packLinear(asym, {HfQuantFormat::GptqV1, 4, 32, false, false}).ok());
    EXPECT_TRUE(packLinear(asym, {HfQuantFormat::GptqV2, 4, 32, false, false}).ok());
    EXPECT_FALSE(checkPackConfig({HfQuantFormat::GptqV1, 5, 32, true, false}, 32, 64).ok());
    EXPECT_FALSE(checkPackConfig({HfQuantFormat::GptqV1, 3, 32, true, false}, 32, 48).ok()); // 48 * 3 % 32
    EXPECT_FALSE(checkPackConfig({HfQuantFormat::AwqGemm, 4, 48, false, false}, 32, 64).ok());
    EXPECT_FALSE(checkPackConfig({HfQuantFormat::AwqGemm, 8, 32, false, false}, 32, 64).ok());
    EXPECT_FALSE(checkPackConfig({HfQuantFormat::AwqGemm, 4, 32, false, false}, 12, 64).ok());
    EXPECT_FALSE(checkPackConfig({HfQuantFormat::CompressedTensors, 3, 32, true, false}, 32, 64).ok());
    EXPECT_FALSE(checkPackConfig({HfQuantFormat::GptqV2, 4, 0, true, false}, 32, 64).ok());
    // A symmetric compressed-tensors scheme needs zero points of 2^(bits-1).
    EXPECT_FALSE(packLinear(asym, {HfQuantFormat::CompressedTensors, 4, 32, true, false}).ok());
    // Scales beyond F16.
    GptqResult big = asym;
    big.scales[0] = 1e6f;
    EXPECT_FALSE(roundScalesToHalf(big).ok());
}

TEST(HfPacking, HostilePackedTensorsAreRefusedByName)
{
    const GptqResult r = rtn(32, 64, 4, 32, true, 6);
    const PackConfig cfg{HfQuantFormat::GptqV1, 4, 32, true, false};
    auto packed = packLinear(r, cfg);
    ASSERT_TRUE(packed.ok());
    auto expectError = [&](std::vector<PackedTensor> t, const std::string& suffix, const PackConfig& c) {
        auto u = unpackLinear(views(t), c);
        ASSERT_FALSE(u.ok());
        EXPECT_EQ(u.error().tensor, suffix) << describe(u.error());
    };
    {
        auto t = *packed; // qweight rows that do not match the bits
        for (auto& p : t)
            if (p.suffix == "qweight") p.shape = {7, 32};
        expectError(t, "qweight", cfg);
    }
    {
        auto t = *packed; // g_idx pointing past the groups
        for (auto& p : t)
            if (p.suffix == "g_idx") p.data[4 * 5] = std::byte{9};
        expectError(t, "g_idx", cfg);
    }
    {
        auto t = *packed; // qzeros of the wrong group count
        for (auto& p : t)
            if (p.suffix == "qzeros") {
                p.shape = {1, 4};
                p.data.resize(16);
            }
        expectError(t, "qzeros", cfg);
    }
    {
        auto t = *packed; // scales shorter than their shape
        for (auto& p : t)
            if (p.suffix == "scales") p.data.resize(p.data.size() - 2);
        expectError(t, "scales", cfg);
    }
    {
        auto t = *packed; // a NaN scale
        for (auto& p : t)
            if (p.suffix == "scales") {
                p.data[0] = std::byte{0x00};
                p.data[1] = std::byte{0x7e};
            }
        expectError(t, "scales", cfg);
    }
    {
        auto t = *packed; // qzeros missing
        std::erase_if(t, [](const PackedTensor& p) { return p.suffix == "qzeros"; });
        expectError(t, "qzeros", cfg);
    }
    {
        auto t = *packed; // a v1 zero field of 15 (zero 16)
        for (auto& p : t)
            if (p.suffix == "qzeros") p.data[0] = std::byte{0x7f};
        expectError(t, "qzeros", cfg);
    }
    // compressed-tensors: a weight_shape that disagrees with weight_packed, a negative dimension.
    const GptqResult s = rtn(16, 64, 4, 32, true, 7);
    const PackConfig ct{HfQuantFormat::CompressedTensors, 4, 32, true, false};
    auto cp = packLinear(s, ct);
    ASSERT_TRUE(cp.ok());
    {
        auto t = *cp;
        for (auto& p : t)
            if (p.suffix == "weight_shape") p.data[8] = std::byte{65};
        expectError(t, "weight_packed", ct);
    }
    {
        auto t = *cp;
        for (auto& p : t)
            if (p.suffix == "weight_shape") p.data[7] = std::byte{0x80};
        expectError(t, "weight_shape", ct);
    }
    // AWQ: a qweight whose input count the group does not divide.
    auto a = awqGrid(randomWeight(16, 64, 1), 16, 64, 4, 32);
    ASSERT_TRUE(a.ok());
    const PackConfig awq{HfQuantFormat::AwqGemm, 4, 32, false, false};
    auto ap = packLinear(*a, awq);
    ASSERT_TRUE(ap.ok());
    {
        auto t = *ap;
        for (auto& p : t)
            if (p.suffix == "qweight") {
                p.shape = {48, 2};
                p.data.resize(48 * 2 * 4);
            }
        expectError(t, "qweight", awq);
    }
}

} // namespace
} // namespace condense::quant
