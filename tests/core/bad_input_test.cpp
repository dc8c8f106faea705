// Bad input: every malformed model the generator in tests/support/malformed.h can make is
// refused with a specific ErrorCode naming the right file, through the core API and through
// `condense-cli inspect` (exit 1, exactly one stderr line "condense-cli: error: <file>: ..."),
// without crashing, without allocating anything near the sizes the file claims, and without
// touching the input.

#include <gtest/gtest.h>

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <map>
#include <new>
#include <ostream>
#include <string>
#include <vector>

#include "core/common/result.h"
#include "core/io/checkpoint.h"
#include "core/io/error_text.h"
#include "core/io/gguf_file.h"
#include "core/io/safetensors_file.h"
#include "core/jobs/progress.h"
#include "tests/support/malformed.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

// ---- allocation watch ------------------------------------------------------------------------
// Replacing the global operator new lets the tests measure what opening a file allocates: the
// largest single request and the peak of live heap bytes while the watch is on.
namespace {
std::atomic<bool> g_watch{false};
std::atomic<std::int64_t> g_live{0};
std::atomic<std::int64_t> g_peak{0};
std::atomic<std::uint64_t> g_largest{0};
} // namespace

void* operator new(std::size_t n)
{
    void* p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    if (g_watch.load(std::memory_order_relaxed)) {
        const auto live = g_live.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p))) +
                          static_cast<std::int64_t>(malloc_usable_size(p));
        std::int64_t peak = g_peak.load();
        while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {}
        std::uint64_t largest = g_largest.load();
        while (n > largest && !g_largest.compare_exchange_weak(largest, n)) {}
    }
    return p;
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void operator delete(void* p) noexcept
{
    if (p && g_watch.load(std::memory_order_relaxed)) g_live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)));
    std::free(p);
}
void operator delete[](void* p) noexcept { ::operator delete(p); }
void operator delete(void* p, std::size_t) noexcept { ::operator delete(p); }
void operator delete[](void* p, std::size_t) noexcept { ::operator delete(p); }

namespace condense {
// Readable ErrorCodes in gtest messages.
void PrintTo(ErrorCode c, std::ostream* os) { *os << errorCodeName(c) << " (" << static_cast<int>(c) << ")"; }
} // namespace condense

namespace condense::test {
namespace {

namespace fs = std::filesystem;

struct AllocationWatch {
    AllocationWatch()
    {
        g_live = 0;
        g_peak = 0;
        g_largest = 0;
        g_watch = true;
    }
    ~AllocationWatch() { g_watch = false; }
    std::uint64_t stop()
    {
        g_watch = false;
        return static_cast<std::uint64_t>(std::max<std::int64_t>(0, g_peak.load()));
    }
    static std::uint64_t largest() { return g_largest.load(); }
};

// Nothing the reader does for these small files needs more than this; every claim made by the
// hostile headers is far larger (2^40 and up).
constexpr std::uint64_t kAllocationBound = 1u << 20;

Result<std::shared_ptr<const io::Checkpoint>> open(const fs::path& p)
{
    jobs::NullSink sink;
    return io::openCheckpoint(p, sink);
}

// Well-formed UTF-8 without control characters.
bool printableUtf8(const std::string& s)
{
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t n = io::utf8SequenceLength(s, i);
        if (n == 0 || (n == 1 && (static_cast<unsigned char>(s[i]) < 0x20 || s[i] == 0x7f))) return false;
        i += n;
    }
    return true;
}

std::string shellQuote(const std::string& s) { return "'" + s + "'"; }

// Bytes and modification time of every file under a folder (to prove nothing was touched).
std::map<std::string, std::pair<std::string, fs::file_time_type>> snapshot(const fs::path& root)
{
    std::map<std::string, std::pair<std::string, fs::file_time_type>> m;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (e.is_regular_file()) m[e.path().string()] = {readFile(e.path()), fs::last_write_time(e.path())};
        else m[e.path().string()] = {"<dir>", fs::last_write_time(e.path())};
    }
    return m;
}

using BadCase = MalformedCase;

fs::path put(const fs::path& root, const std::string& name, const std::string& bytes)
{
    writeFile(root / name, bytes);
    return root / name;
}

std::vector<BadCase> cases() { return malformedCases(); }

class BadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInput, RefusedByCoreAndCli)
{
    const BadCase& c = GetParam();
    TempDir tmp("condense-bad");
    const fs::path input = c.make(tmp.path());
    const fs::path errorFile = c.errorFile.empty() ? input : tmp.path() / c.errorFile;
    const auto before = snapshot(tmp.path());

    // Core API.
    AllocationWatch watch;
    auto r = open(input);
    const std::uint64_t peak = watch.stop();
    ASSERT_FALSE(r.ok()) << "opened a malformed input";
    const Error& e = r.error();
    EXPECT_EQ(e.code, c.code) << describe(e);
    EXPECT_EQ(e.file, errorFile.string()) << describe(e);
    const std::string text = describe(e);
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    EXPECT_EQ(text.find('\r'), std::string::npos) << text;
    EXPECT_TRUE(printableUtf8(text)) << "control bytes or invalid UTF-8 in: " << text;
    if (!c.mentions.empty()) {
        EXPECT_NE(text.find(c.mentions), std::string::npos) << text;
    }
    RecordProperty("code", errorCodeName(e.code));
    RecordProperty("error", text);
    RecordProperty("peak_heap_bytes", std::to_string(peak));
    RecordProperty("largest_allocation_bytes", std::to_string(AllocationWatch::largest()));
    EXPECT_LE(peak, kAllocationBound) << "peak heap while opening";
    EXPECT_LE(AllocationWatch::largest(), kAllocationBound) << "largest single allocation while opening";

    // CLI: exit 1, nothing on stdout, exactly one line on stderr naming the file.
    const auto cli = runCommand(shellQuote(cliPath().string()) + " inspect " + shellQuote(input.string()));
    EXPECT_EQ(cli.exitCode, 1) << cli.err;
    EXPECT_EQ(cli.out, "");
    const std::string prefix = "condense-cli: error: " + errorFile.string() + ": ";
    EXPECT_EQ(cli.err.rfind(prefix, 0), 0u) << cli.err;
    EXPECT_EQ(std::count(cli.err.begin(), cli.err.end(), '\n'), 1) << cli.err;
    EXPECT_EQ(cli.err, prefix + text + "\n");

    // The input is untouched and nothing was added next to it.
    EXPECT_EQ(snapshot(tmp.path()), before);
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInput, ::testing::ValuesIn(cases()), [](const ::testing::TestParamInfo<BadCase>& p) {
    std::string n = p.param.name;
    for (auto& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return n;
});

TEST(BadInputCatalogue, NamesAreUniqueAndThereAreAtLeastThirty)
{
    std::vector<std::string> names;
    for (const auto& c : cases()) names.push_back(c.name);
    EXPECT_GE(names.size(), 30u);
    std::sort(names.begin(), names.end());
    EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

// The unmutated builders give files that open: every failure above comes from the mutation.
TEST(BadInputBuilders, SamplesOpen)
{
    TempDir tmp("condense-bad");
    const GgufLayout L = sampleGguf().build();
    auto g = open(put(tmp.path(), "model.gguf", L.bytes));
    ASSERT_TRUE(g.ok()) << describe(g.error());
    EXPECT_EQ((*g)->tensors().size(), 3u);
    EXPECT_EQ((*g)->metadata().size(), 1u + 16u); // GGUF.version + the 16 KVs
    const io::GgufFile* gf = (*g)->gguf();
    ASSERT_NE(gf, nullptr);
    EXPECT_EQ(gf->dataOffset(), L.dataStart);
    EXPECT_EQ(gf->getString("general.architecture").value_or(""), "llama");
    EXPECT_EQ(gf->find("test.i64")->asInt().value_or(0), -5000000000000LL);
    EXPECT_EQ(gf->find("test.i16")->asInt().value_or(0), -30000);
    EXPECT_EQ(gf->find("test.u16")->asUInt().value_or(0), 60000u);
    EXPECT_EQ(gf->find("test.f64")->asFloat().value_or(0), 0.5);
    EXPECT_EQ(gf->getBool("test.bool"), std::optional<bool>(true));
    EXPECT_EQ(gf->find("tokenizer.ggml.tokens")->strings(), (std::vector<std::string>{"<unk>", "a", "bc", "def"}));
    EXPECT_EQ(gf->find("test.i32_array")->intAt(1).value_or(0), -2);
    for (std::size_t i = 0; i < L.tensors.size(); ++i) {
        const auto bytes = gf->tensorData(i);
        ASSERT_EQ(bytes.size(), L.tensors[i].bytes);
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), L.bytes.substr(L.tensors[i].dataAt, L.tensors[i].bytes));
    }

    // ggml reads a bool byte other than 0 or 1 as true; so do we.
    GgufBuilder odd;
    odd.kvRaw("flag", gguf::kBool, "\x02");
    auto b2 = io::GgufFile::open(put(tmp.path(), "bool.gguf", odd.build().bytes));
    ASSERT_TRUE(b2.ok()) << describe(b2.error());
    EXPECT_EQ((*b2)->getBool("flag"), std::optional<bool>(true));

    auto s = open(put(tmp.path(), "model.safetensors", sampleSafetensors().build()));
    ASSERT_TRUE(s.ok()) << describe(s.error());
    EXPECT_EQ((*s)->tensors().size(), 5u);

    HfFolder::single().write(tmp / "single");
    auto f1 = open(tmp / "single");
    ASSERT_TRUE(f1.ok()) << describe(f1.error());
    EXPECT_EQ((*f1)->tensors().size(), 5u);
    EXPECT_EQ((*f1)->spec().hiddenSize, 32u);

    HfFolder::sharded().write(tmp / "sharded");
    auto f2 = open(tmp / "sharded");
    ASSERT_TRUE(f2.ok()) << describe(f2.error());
    EXPECT_EQ((*f2)->tensors().size(), 5u);
    EXPECT_EQ((*f2)->files().size(), 2u);
}

// A file cut at any byte before the end of its last tensor's data is reported as truncated.
TEST(BadInputSweep, GgufCutAnywhereIsTruncated)
{
    TempDir tmp("condense-bad");
    const GgufLayout L = sampleGguf().build();
    const std::size_t end = L.tensors.back().dataAt + static_cast<std::size_t>(L.tensors.back().bytes);
    for (std::size_t n = 0; n < end; ++n) {
        const auto p = put(tmp.path(), "cut.gguf", truncated(L.bytes, n));
        auto r = io::GgufFile::open(p);
        ASSERT_FALSE(r.ok()) << "cut at " << n;
        EXPECT_EQ(r.error().code, ErrorCode::Truncated) << "cut at " << n << ": " << describe(r.error());
    }
    // Cutting only the padding after the last tensor leaves every tensor whole.
    auto whole = io::GgufFile::open(put(tmp.path(), "cut.gguf", truncated(L.bytes, end)));
    EXPECT_TRUE(whole.ok());
}

TEST(BadInputSweep, SafetensorsCutAnywhereIsTruncated)
{
    TempDir tmp("condense-bad");
    const std::string b = sampleSafetensors().build();
    for (std::size_t n = 0; n < b.size(); ++n) {
        const auto p = put(tmp.path(), "cut.safetensors", truncated(b, n));
        auto r = io::SafetensorsFile::open(p);
        ASSERT_FALSE(r.ok()) << "cut at " << n;
        EXPECT_EQ(r.error().code, ErrorCode::Truncated) << "cut at " << n << ": " << describe(r.error());
    }
}

// Every byte of the GGUF header replaced by 0x00, 0xFF and itself ^ 0x80: never a crash, an
// error names the file on one line, what opens has every tensor inside the file, and nothing
// allocates more than the bound.
TEST(BadInputSweep, GgufHeaderByteFlips)
{
    TempDir tmp("condense-bad");
    const GgufLayout L = sampleGguf().build();
    const auto p = tmp / "flip.gguf";
    int refused = 0;
    for (std::size_t i = 0; i < L.dataStart; ++i) {
        for (const unsigned char v : {0x00u, 0xFFu, static_cast<unsigned>(static_cast<unsigned char>(L.bytes[i]) ^ 0x80u)}) {
            std::string b = L.bytes;
            b[i] = static_cast<char>(v);
            writeFile(p, b);
            AllocationWatch watch;
            auto r = io::GgufFile::open(p);
            watch.stop();
            ASSERT_LE(AllocationWatch::largest(), kAllocationBound) << "byte " << i;
            if (!r.ok()) {
                ++refused;
                EXPECT_EQ(r.error().file, p.string());
                EXPECT_EQ(describe(r.error()).find('\n'), std::string::npos) << describe(r.error());
                continue;
            }
            const io::GgufFile& g = **r;
            for (std::size_t t = 0; t < g.tensors().size(); ++t) {
                const auto d = g.tensorData(t);
                ASSERT_GE(d.data(), g.file()->data());
                ASSERT_LE(d.data() + d.size(), g.file()->data() + g.fileSize());
            }
        }
    }
    EXPECT_GT(refused, 0);
}

TEST(BadInputSweep, SafetensorsHeaderByteFlips)
{
    TempDir tmp("condense-bad");
    const std::string b0 = sampleSafetensors().build();
    const std::size_t headerEnd = 8 + static_cast<std::size_t>(peekU64(b0, 0));
    const auto p = tmp / "flip.safetensors";
    for (std::size_t i = 0; i < headerEnd; ++i) {
        for (const char v : {'\0', '\xff', '"', '9', '}'}) {
            std::string b = b0;
            b[i] = v;
            writeFile(p, b);
            AllocationWatch watch;
            auto r = io::SafetensorsFile::open(p);
            watch.stop();
            ASSERT_LE(AllocationWatch::largest(), kAllocationBound) << "byte " << i;
            if (!r.ok()) {
                EXPECT_EQ(r.error().file, p.string());
                EXPECT_EQ(describe(r.error()).find('\n'), std::string::npos) << describe(r.error());
                continue;
            }
            for (std::size_t t = 0; t < (*r)->tensors().size(); ++t) {
                const auto d = (*r)->tensorData(t);
                ASSERT_LE(d.data() + d.size(), (*r)->file()->data() + (*r)->file()->size());
            }
        }
    }
}

// The claims are refused before anything of their size is allocated: a 2^62-string array in a
// file of under 100 bytes costs no more than a few small allocations.
TEST(BadInputAllocation, HugeClaimsFailFast)
{
    TempDir tmp("condense-bad");
    const std::string tiny = hugeStringArray(std::uint64_t{1} << 62).build().bytes;
    ASSERT_LT(tiny.size(), 100u);
    const auto p = put(tmp.path(), "tiny.gguf", tiny);
    AllocationWatch watch;
    auto r = io::GgufFile::open(p);
    const auto peak = watch.stop();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::OutOfRange);
    EXPECT_LT(AllocationWatch::largest(), 4096u);
    EXPECT_LT(peak, 16384u);
}

} // namespace
} // namespace condense::test
