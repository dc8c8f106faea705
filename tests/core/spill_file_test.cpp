// io::SpillFile (core/io/spill_file.h): blobs put from several threads read back byte for byte,
// in slices at any offset; a replaced name reads its new bytes; reads past the end or of a name
// never put are refused; the folder shows no file while the spill is open or after; a missing
// folder is an error naming it.

#include <gtest/gtest.h>

#include <cstddef>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/io/spill_file.h"
#include "tests/support/temp_dir.h"

namespace condense::io {
namespace {

std::vector<std::byte> pattern(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::vector<std::byte> v(n);
    for (std::byte& b : v) b = static_cast<std::byte>(rng() & 0xff);
    return v;
}

TEST(SpillFile, BlobsFromSeveralThreadsReadBackExactly)
{
    test::TempDir dir;
    auto spill = SpillFile::create(dir.path());
    ASSERT_TRUE(spill.ok()) << describe(spill.error());
    SpillFile& s = **spill;
    constexpr int kThreads = 4, kEach = 8;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&s, t] {
            for (int i = 0; i < kEach; ++i) {
                const unsigned seed = static_cast<unsigned>(t * 100 + i);
                const auto bytes = pattern(1000 + seed * 37, seed);
                EXPECT_TRUE(s.put("t" + std::to_string(t) + ".b" + std::to_string(i), bytes).ok());
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_TRUE(dir.entries().empty()) << "the spill file must not be visible in the folder";

    const auto entries = s.entries();
    ASSERT_EQ(entries.size(), static_cast<std::size_t>(kThreads * kEach));
    for (std::size_t i = 1; i < entries.size(); ++i) EXPECT_LT(entries[i - 1].first, entries[i].first);
    std::uint64_t total = 0;
    for (int t = 0; t < kThreads; ++t)
        for (int i = 0; i < kEach; ++i) {
            const unsigned seed = static_cast<unsigned>(t * 100 + i);
            const std::string name = "t" + std::to_string(t) + ".b" + std::to_string(i);
            const auto want = pattern(1000 + seed * 37, seed);
            total += want.size();
            ASSERT_TRUE(s.contains(name));
            ASSERT_EQ(s.size(name), want.size());
            std::vector<std::byte> got(want.size());
            // In three slices: head, middle, tail.
            const std::size_t a = want.size() / 3, b = 2 * want.size() / 3;
            ASSERT_TRUE(s.read(name, 0, std::span(got).first(a)).ok());
            ASSERT_TRUE(s.read(name, a, std::span(got).subspan(a, b - a)).ok());
            ASSERT_TRUE(s.read(name, b, std::span(got).subspan(b)).ok());
            EXPECT_EQ(got, want) << name;
        }
    EXPECT_EQ(s.fileBytes(), total);
}

TEST(SpillFile, ReplacedNamesAndBadReads)
{
    test::TempDir dir;
    auto spill = SpillFile::create(dir.path());
    ASSERT_TRUE(spill.ok());
    SpillFile& s = **spill;
    ASSERT_TRUE(s.put("x", pattern(64, 1)).ok());
    const auto second = pattern(16, 2);
    ASSERT_TRUE(s.put("x", second).ok());
    EXPECT_EQ(s.size("x"), 16u);
    std::vector<std::byte> got(16);
    ASSERT_TRUE(s.read("x", 0, got).ok());
    EXPECT_EQ(got, second);
    EXPECT_EQ(s.read("x", 8, got).error().code, ErrorCode::InvalidArgument); // 8 + 16 > 16
    EXPECT_EQ(s.read("x", 17, std::span(got).first(0)).error().code, ErrorCode::InvalidArgument);
    auto missing = s.read("y", 0, std::span(got).first(1));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(missing.error().detail.find("'y'"), std::string::npos);
    EXPECT_FALSE(s.contains("y"));
    EXPECT_FALSE(s.size("y").has_value());
    EXPECT_TRUE(s.put("empty", {}).ok());
    EXPECT_EQ(s.size("empty"), 0u);
    EXPECT_TRUE(s.read("empty", 0, {}).ok());
}

TEST(SpillFile, MissingFolderIsAnErrorNamingIt)
{
    test::TempDir dir;
    const auto folder = dir / "not-there";
    auto spill = SpillFile::create(folder);
#ifndef _WIN32
    ASSERT_FALSE(spill.ok());
    EXPECT_EQ(spill.error().file, folder.string());
    EXPECT_NE(spill.error().detail.find("temporary file"), std::string::npos) << spill.error().detail;
#else
    EXPECT_TRUE(spill.ok());
#endif
    // Nothing is left behind once a spill is gone.
    {
        auto s = SpillFile::create(dir.path());
        ASSERT_TRUE(s.ok());
        ASSERT_TRUE((*s)->put("a", pattern(4096, 3)).ok());
    }
    EXPECT_TRUE(dir.entries().empty());
}

} // namespace
} // namespace condense::io
