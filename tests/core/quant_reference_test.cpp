// core/quant against llama-quantize: our kernels re-quantize the tiny model's F16 reference
// GGUF and must reproduce, byte for byte, every quantized tensor of the llama-quantize outputs
// in ../shared/models/tiny-llama-spm/reference-gguf (made at llama.cpp 34af94cd, x86-64).
#include <gtest/gtest.h>

#include "tests/core/quant_test_util.h"
#include "tests/support/test_paths.h"

using namespace condense;
using namespace condense::test;

namespace {

class QuantReference : public ::testing::TestWithParam<CpuLevel> {};

void expectIdentical(CpuLevel kernels, const char* refType, const char* imatrixName,
                     const std::map<std::string, int>& tensorsPerType)
{
    auto src = openGguf(referenceGguf("F16"));
    auto ref = openGguf(referenceGguf(refType));
    std::shared_ptr<const io::GgufFile> imat;
    if (imatrixName) imat = openGguf(referenceGguf(imatrixName));
    ASSERT_TRUE(src && ref && (!imatrixName || imat));
    const CompareStats s = compareWithReference(*src, *ref, imat.get(), kernels);
    EXPECT_TRUE(s.different.empty()) << describe(s);
    // Guard against a vacuous pass: every 2-D tensor of the file was compared (44 of the 57;
    // the rest are F32 norms), in the types llama-quantize's mix gave them.
    EXPECT_EQ(s.identical, tensorsPerType) << describe(s);
}

} // namespace

TEST_P(QuantReference, Q8_0FileIsByteIdentical)
{
    expectIdentical(GetParam(), "Q8_0", nullptr, {{"Q8_0", 44}});
}

// Q4_0's mix keeps output.weight at Q6_K.
TEST_P(QuantReference, Q4_0FileIsByteIdentical)
{
    expectIdentical(GetParam(), "Q4_0", nullptr, {{"Q4_0", 43}, {"Q6_K", 1}});
}

// Q4_K_M: Q4_K for most tensors, Q6_K for output and attn_v / ffn_down of layers 2 and 5.
TEST_P(QuantReference, Q4_K_MFileIsByteIdentical)
{
    expectIdentical(GetParam(), "Q4_K_M", nullptr, {{"Q4_K", 39}, {"Q6_K", 5}});
}

// The imatrix paths (quantize_row_q4_K_impl / q6_K_impl) with llama-imatrix's weights.
TEST_P(QuantReference, Q4_K_MWithImatrixFileIsByteIdentical)
{
    expectIdentical(GetParam(), "Q4_K_M-imat", "imatrix", {{"Q4_K", 39}, {"Q6_K", 5}});
}

// Both the scalar reference and the kernels a release build runs (AVX2 where available).
namespace {
std::string kernelSetName(const ::testing::TestParamInfo<CpuLevel>& p)
{
    return p.param == CpuLevel::Scalar ? "Scalar" : "Best";
}
} // namespace

INSTANTIATE_TEST_SUITE_P(Kernels, QuantReference, ::testing::Values(CpuLevel::Scalar, CpuLevel::Best),
                         kernelSetName);
