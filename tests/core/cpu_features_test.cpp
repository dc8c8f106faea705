// core/common/cpu_features: the one dispatch level of core. The level rules are checked on
// hand-made feature sets; the detection itself against what the Linux kernel reports in
// /proc/cpuinfo (an independent reading of cpuid and XCR0).

#include <gtest/gtest.h>

#include "tests/support/skip.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/common/cpu_features.h"

namespace condense::test {
namespace {

CpuFeatures avx2Set()
{
    CpuFeatures f;
    f.avx = f.avx2 = f.fma = f.f16c = true;
    return f;
}

CpuFeatures avx512Set()
{
    CpuFeatures f = avx2Set();
    f.avx512f = f.avx512bw = f.avx512dq = f.avx512vl = f.avx512vnni = true;
    return f;
}

TEST(CpuFeatures, LevelRules)
{
    EXPECT_EQ(cpuLevelOf(CpuFeatures{}), CpuLevel::Scalar);
    EXPECT_EQ(cpuLevelOf(avx2Set()), CpuLevel::Avx2);
    EXPECT_EQ(cpuLevelOf(avx512Set()), CpuLevel::Avx512);
    CpuFeatures noFma = avx2Set();
    noFma.fma = false; // enough for core/quant's AVX2 kernels, not for the Avx2 level
    EXPECT_EQ(cpuLevelOf(noFma), CpuLevel::Scalar);
    CpuFeatures noF16c = avx512Set();
    noF16c.f16c = false;
    EXPECT_EQ(cpuLevelOf(noF16c), CpuLevel::Scalar);
    CpuFeatures noVnni = avx512Set();
    noVnni.avx512vnni = false;
    EXPECT_EQ(cpuLevelOf(noVnni), CpuLevel::Avx2);
    CpuFeatures noBw = avx512Set();
    noBw.avx512bw = false;
    EXPECT_EQ(cpuLevelOf(noBw), CpuLevel::Avx2);
}

TEST(CpuFeatures, ClampAndNames)
{
    EXPECT_EQ(CpuLevel::Best, CpuLevel::Avx512);
    EXPECT_EQ(clampCpuLevel(CpuLevel::Scalar), CpuLevel::Scalar);
    EXPECT_EQ(clampCpuLevel(CpuLevel::Best), detectCpuLevel());
    EXPECT_LE(clampCpuLevel(CpuLevel::Avx2), CpuLevel::Avx2);
    EXPECT_EQ(detectCpuLevel(), cpuLevelOf(CpuFeatures::host()));
    EXPECT_STREQ(cpuLevelName(CpuLevel::Scalar), "scalar");
    EXPECT_STREQ(cpuLevelName(CpuLevel::Avx2), "avx2");
    EXPECT_STREQ(cpuLevelName(CpuLevel::Avx512), "avx512");
}

TEST(CpuFeatures, MatchesLinuxCpuinfo)
{
#if !(defined(__x86_64__) || defined(__i386__))
    EXPECT_EQ(detectCpuLevel(), CpuLevel::Scalar);
    CONDENSE_SKIP() << "not x86";
#else
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    std::set<std::string> flags;
    while (std::getline(in, line))
        if (line.rfind("flags", 0) == 0) {
            std::istringstream words(line.substr(line.find(':') + 1));
            for (std::string w; words >> w;) flags.insert(w);
            break;
        }
    if (flags.empty()) CONDENSE_SKIP() << "no /proc/cpuinfo flags";
    const CpuFeatures& f = CpuFeatures::host();
    EXPECT_EQ(f.avx, flags.count("avx") == 1);
    EXPECT_EQ(f.avx2, flags.count("avx2") == 1);
    EXPECT_EQ(f.fma, flags.count("fma") == 1);
    EXPECT_EQ(f.f16c, flags.count("f16c") == 1);
    EXPECT_EQ(f.avx512f, flags.count("avx512f") == 1);
    EXPECT_EQ(f.avx512bw, flags.count("avx512bw") == 1);
    EXPECT_EQ(f.avx512dq, flags.count("avx512dq") == 1);
    EXPECT_EQ(f.avx512vl, flags.count("avx512vl") == 1);
    EXPECT_EQ(f.avx512vnni, flags.count("avx512_vnni") == 1);
    RecordProperty("level", cpuLevelName(detectCpuLevel()));
#endif
}

} // namespace
} // namespace condense::test
