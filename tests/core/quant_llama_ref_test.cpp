// core/quant against llama-quantize outputs made by hand for the types that have no reference
// file in ../shared (CI has no llama.cpp). Registered only when CONDENSE_LLAMA_QUANT_REF_DIR is
// set at configure time. That folder holds llama-quantize outputs of the tiny model's F16
// reference GGUF; a name ending in "-imat.gguf" means it was made with the shared
// tiny-llama-spm-imatrix.gguf. Recipe (llama.cpp 34af94cd, x86-64 build):
//
//   F=.../reference-gguf/tiny-llama-spm-F16.gguf; I=.../reference-gguf/tiny-llama-spm-imatrix.gguf
//   for t in Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K IQ4_NL IQ4_XS; do
//     llama-quantize $F DIR/tiny-$t.gguf $t 2
//     llama-quantize --imatrix $I $F DIR/tiny-$t-imat.gguf $t 2
//   done
//
// Every quantized tensor of every file must match our bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <tuple>

#include "tests/core/quant_test_util.h"
#include "tests/support/test_paths.h"

using namespace condense;
using namespace condense::test;

namespace {

std::vector<std::filesystem::path> referenceFiles()
{
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(CONDENSE_LLAMA_QUANT_REF_DIR, ec))
        if (e.path().extension() == ".gguf") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

class LlamaQuantizeFile : public ::testing::TestWithParam<std::tuple<std::filesystem::path, CpuLevel>> {};

TEST_P(LlamaQuantizeFile, EveryQuantizedTensorIsByteIdentical)
{
    const std::filesystem::path& p = std::get<0>(GetParam());
    const CpuLevel kernels = std::get<1>(GetParam());
    const bool withImatrix = p.filename().string().ends_with("-imat.gguf");
    auto src = openGguf(referenceGguf("F16"));
    auto ref = openGguf(p);
    std::shared_ptr<const io::GgufFile> imat;
    if (withImatrix) imat = openGguf(referenceGguf("imatrix"));
    ASSERT_TRUE(src && ref && (!withImatrix || imat));
    const CompareStats s = compareWithReference(*src, *ref, imat.get(), kernels);
    std::cout << p.filename().string() << (kernels == CpuLevel::Scalar ? " (scalar): " : " (best): ")
              << describe(s) << "\n";
    EXPECT_TRUE(s.different.empty()) << describe(s);
    EXPECT_FALSE(s.identical.empty()) << "no tensor of a type we implement in " << p;
}

std::string testName(const ::testing::TestParamInfo<std::tuple<std::filesystem::path, CpuLevel>>& info)
{
    std::string n = std::get<0>(info.param).stem().string() +
                    (std::get<1>(info.param) == CpuLevel::Scalar ? "_Scalar" : "_Best");
    for (char& c : n)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
}

INSTANTIATE_TEST_SUITE_P(HandMade, LlamaQuantizeFile,
                         ::testing::Combine(::testing::ValuesIn(referenceFiles()),
                                            ::testing::Values(CpuLevel::Scalar, CpuLevel::Best)),
                         testName);

TEST(LlamaQuantizeFolder, HoldsReferenceFiles)
{
    EXPECT_FALSE(referenceFiles().empty()) << CONDENSE_LLAMA_QUANT_REF_DIR;
}

} // namespace
