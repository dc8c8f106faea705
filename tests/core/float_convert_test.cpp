// fp16/bf16 conversions against independent references: GCC's _Float16 (IEEE binary16 with
// round-to-nearest-even, done by libgcc/the CPU, not by us) for fp16, and a hand-checked table
// for bf16.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/tensor/float_convert.h"

#if !defined(__FLT16_MAX__)
#error "these tests need _Float16 (GCC >= 12 on x86-64 with SSE2, or AArch64)"
#endif

namespace condense::test {
namespace {

std::uint16_t halfBits(_Float16 h)
{
    std::uint16_t u;
    std::memcpy(&u, &h, 2);
    return u;
}

_Float16 halfFromBits(std::uint16_t u)
{
    _Float16 h;
    std::memcpy(&h, &u, 2);
    return h;
}

bool isHalfNan(std::uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0; }

TEST(Fp16, AllValuesWidenExactly)
{
    for (std::uint32_t i = 0; i < 65536; ++i) {
        const auto h = static_cast<std::uint16_t>(i);
        const float ours = fp16ToFp32(h);
        const float ref = static_cast<float>(halfFromBits(h));
        if (isHalfNan(h)) {
            EXPECT_TRUE(std::isnan(ours)) << std::hex << i;
            continue;
        }
        ASSERT_EQ(floatToBits(ours), floatToBits(ref)) << std::hex << "half 0x" << i;
    }
}

TEST(Fp16, AllValuesRoundTrip)
{
    for (std::uint32_t i = 0; i < 65536; ++i) {
        const auto h = static_cast<std::uint16_t>(i);
        if (isHalfNan(h)) {
            EXPECT_TRUE(isHalfNan(fp32ToFp16(fp16ToFp32(h)))) << std::hex << i;
            continue;
        }
        ASSERT_EQ(fp32ToFp16(fp16ToFp32(h)), h) << std::hex << "half 0x" << i;
    }
}

// Compares fp32ToFp16 with the compiler's conversion on one float.
void expectNarrowsLikeFloat16(float f)
{
    const std::uint16_t ours = fp32ToFp16(f);
    const std::uint16_t ref = halfBits(static_cast<_Float16>(f));
    if (std::isnan(f)) {
        EXPECT_EQ(ours, 0x7e00u); // ggml's canonical NaN
        return;
    }
    ASSERT_EQ(ours, ref) << std::hex << "float bits 0x" << floatToBits(f);
}

// Every tie: for each pair of adjacent halves (normal and subnormal, both signs) the exact
// midpoint and the floats one ulp either side of it.
TEST(Fp16, NarrowingTiesAndNeighbours)
{
    for (std::uint32_t i = 0; i < 0x7c00u; ++i) {
        for (const std::uint32_t sign : {0u, 0x8000u}) {
            const float lo = fp16ToFp32(static_cast<std::uint16_t>(i | sign));
            const float hi = fp16ToFp32(static_cast<std::uint16_t>((i + 1) | sign));
            const float mid = static_cast<float>((static_cast<double>(lo) + static_cast<double>(hi)) / 2); // exact in float
            ASSERT_EQ(static_cast<double>(mid), (static_cast<double>(lo) + static_cast<double>(hi)) / 2);
            expectNarrowsLikeFloat16(lo);
            expectNarrowsLikeFloat16(mid);
            expectNarrowsLikeFloat16(std::nextafter(mid, 0.0f));
            expectNarrowsLikeFloat16(std::nextafter(mid, mid * 2));
        }
    }
}

// The subnormal range and the edges: every float from 2^-26 up to the smallest normal half,
// sampled densely; overflow to infinity; zeros; infinities; NaNs.
TEST(Fp16, NarrowingSubnormalsAndEdges)
{
    for (std::uint32_t u = 0x32800000u; u <= 0x38800000u; u += 97) {
        expectNarrowsLikeFloat16(bitsToFloat(u));
        expectNarrowsLikeFloat16(bitsToFloat(u | 0x80000000u));
    }
    for (const std::uint32_t u : {0x00000000u, 0x80000000u, 0x00000001u, 0x007fffffu, 0x33000000u, 0x33000001u,
                                  0x337fffffu, 0x33800000u, 0x387fc000u, 0x387fe000u, 0x38800000u, 0x477fe000u,
                                  0x477fefffu, 0x477ff000u, 0x47800000u, 0x7f7fffffu, 0x7f800000u, 0xff800000u})
        expectNarrowsLikeFloat16(bitsToFloat(u));
    EXPECT_EQ(fp32ToFp16(bitsToFloat(0x7fc00000u)), 0x7e00u);
    EXPECT_EQ(fp32ToFp16(bitsToFloat(0xffc00001u)), 0x7e00u);
    EXPECT_EQ(fp32ToFp16(bitsToFloat(0x7f800001u)), 0x7e00u);
}

// A stride through all 2^32 float bit patterns (a prime stride reaches every exponent).
TEST(Fp16, NarrowingSampledOverAllFloats)
{
    for (std::uint64_t u = 0; u < (std::uint64_t{1} << 32); u += 4099) expectNarrowsLikeFloat16(bitsToFloat(static_cast<std::uint32_t>(u)));
}

// fp32 -> bf16, checked by hand: keep the top 16 bits, round the low 16 to nearest, ties to
// even; NaN stays a quiet NaN with its sign.
TEST(Bf16, HandCheckedTable)
{
    struct Row {
        std::uint32_t f;
        std::uint16_t bf;
    };
    const Row rows[] = {
        {0x3f800000u, 0x3f80u}, // 1.0
        {0xbf800000u, 0xbf80u}, // -1.0
        {0x3f808000u, 0x3f80u}, // halfway, even stays
        {0x3f818000u, 0x3f82u}, // halfway, odd rounds up to even
        {0x3f808001u, 0x3f81u}, // just above halfway
        {0x3f807fffu, 0x3f80u}, // just below halfway
        {0x3f80ffffu, 0x3f81u},
        {0x3fffffffu, 0x4000u}, // carry into the exponent
        {0x40490fdbu, 0x4049u}, // pi: low half 0x0fdb < 0x8000
        {0x3eaaaaabu, 0x3eabu}, // 1/3: low half 0xaaab > 0x8000
        {0x00000000u, 0x0000u},
        {0x80000000u, 0x8000u},
        {0x00000001u, 0x0000u}, // smallest subnormal rounds to zero
        {0x00008000u, 0x0000u}, // subnormal tie to even
        {0x00018000u, 0x0002u}, // subnormal tie, odd -> up
        {0x007fffffu, 0x0080u}, // largest subnormal rounds up to the smallest normal
        {0x7f7fffffu, 0x7f80u}, // FLT_MAX rounds to infinity
        {0x7f7f7fffu, 0x7f7fu}, // largest float that stays finite below the tie
        {0x7f800000u, 0x7f80u}, // +inf
        {0xff800000u, 0xff80u}, // -inf
        {0x7fc00000u, 0x7fc0u}, // quiet NaN
        {0x7f800001u, 0x7fc0u}, // signalling NaN with low payload: made quiet, not infinity
        {0xff800001u, 0xffc0u}, // negative signalling NaN keeps its sign
        {0x7fffffffu, 0x7fffu}, // NaN with full payload
    };
    for (const Row& r : rows) EXPECT_EQ(fp32ToBf16(bitsToFloat(r.f)), r.bf) << std::hex << "0x" << r.f;
}

TEST(Bf16, AllValuesRoundTrip)
{
    for (std::uint32_t i = 0; i < 65536; ++i) {
        const auto h = static_cast<std::uint16_t>(i);
        const float f = bf16ToFp32(h);
        ASSERT_EQ(floatToBits(f), static_cast<std::uint32_t>(i) << 16);
        if (std::isnan(f)) continue;
        ASSERT_EQ(fp32ToBf16(f), h) << std::hex << i;
    }
}

TEST(FloatConvert, RowsBetweenTypes)
{
    const std::vector<float> in = {0.0f, 1.0f, -2.5f, 65504.0f, 1e-7f, 3.14159265f};
    std::vector<std::uint16_t> h(in.size()), b(in.size());
    ASSERT_TRUE(convertFromF32(DType::F16, in.data(), h.data(), in.size()));
    ASSERT_TRUE(convertFromF32(DType::BF16, in.data(), b.data(), in.size()));
    for (std::size_t i = 0; i < in.size(); ++i) {
        EXPECT_EQ(h[i], halfBits(static_cast<_Float16>(in[i])));
        EXPECT_EQ(b[i], fp32ToBf16(in[i]));
    }
    std::vector<std::uint16_t> viaRow(in.size());
    ASSERT_TRUE(convertFloatRow(DType::BF16, b.data(), DType::F16, viaRow.data(), in.size()));
    for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(viaRow[i], halfBits(static_cast<_Float16>(bf16ToFp32(b[i]))));
    std::vector<float> back(in.size());
    ASSERT_TRUE(convertToF32(DType::F16, h.data(), back.data(), in.size()));
    for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(back[i], static_cast<float>(halfFromBits(h[i])));
    const std::int32_t ints[] = {-3, 0, 7};
    float f[3];
    ASSERT_TRUE(convertToF32(DType::I32, ints, f, 3));
    EXPECT_EQ(f[0], -3.0f);
    EXPECT_EQ(f[2], 7.0f);
    EXPECT_FALSE(convertToF32(DType::Q4_0, h.data(), back.data(), 1));
    EXPECT_FALSE(convertFromF32(DType::Q8_0, in.data(), h.data(), 1));
}

// convertToF32(F16) takes F16C where the CPU has it: every half, signaling NaNs included, must
// come out with exactly the bits of the scalar reference fp16ToFp32, whatever the row's start
// and length (whole groups of 8 and tails).
TEST(FloatConvert, HalfRowsMatchScalarBitForBit)
{
    std::vector<std::uint16_t> all(65536 + 7);
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i & 0xffffu);
    for (std::size_t start : {std::size_t{0}, std::size_t{3}})
        for (std::size_t n : {std::size_t{65536}, std::size_t{13}, std::size_t{5}}) {
            std::vector<float> row(n);
            ASSERT_TRUE(convertToF32(DType::F16, all.data() + start, row.data(), n));
            for (std::size_t i = 0; i < n; ++i)
                ASSERT_EQ(floatToBits(row[i]), floatToBits(fp16ToFp32(all[start + i])))
                    << std::hex << "half 0x" << all[start + i] << " start " << start << " n " << n;
        }
}

TEST(FloatConvert, FirstNonFinite)
{
    std::vector<float> x(3000, 1.0f);
    EXPECT_EQ(firstNonFinite(x.data(), x.size()), x.size());
    x[2500] = -INFINITY;
    EXPECT_EQ(firstNonFinite(x.data(), x.size()), 2500u);
    x[1100] = NAN;
    EXPECT_EQ(firstNonFinite(x.data(), x.size()), 1100u);
    EXPECT_EQ(firstNonFinite(x.data(), 1100), 1100u);
}

} // namespace
} // namespace condense::test
