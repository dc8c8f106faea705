// GgufWriter: layout identical to llama.cpp's writer (re-serializing the reference GGUF made by
// convert_hf_to_gguf.py gives the same bytes), round trips, alignment, and that every failure
// path (producer error, cancellation, write error, refusing an input) leaves nothing behind.
#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <sys/resource.h>

#include "core/io/gguf_file.h"
#include "core/io/gguf_writer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::io {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

class CopyFrom final {
public:
    explicit CopyFrom(const GgufFile& g) : m_g(g) {}
    Status operator()(std::size_t i, TensorOutput& out) const { return out.write(m_g.tensorData(i)); }

private:
    const GgufFile& m_g;
};

// Requests a stop when the given stage reports tensor k.
class StopAt final : public jobs::ProgressSink {
public:
    StopAt(std::stop_source& s, jobs::Stage stage, std::uint64_t k) : m_src(s), m_stage(stage), m_k(k) {}
    void report(jobs::Stage stage, std::uint64_t done, std::uint64_t total, std::string_view) override
    {
        if (stage == m_stage && done == m_k && total > 0) m_src.request_stop();
    }

private:
    std::stop_source& m_src;
    jobs::Stage m_stage;
    std::uint64_t m_k;
};

GgufWriter writerFrom(const GgufFile& g)
{
    GgufWriter w;
    for (const auto& kv : g.metadata()) w.set(kv.key, kv.value);
    for (const auto& t : g.tensors()) {
        std::vector<std::uint64_t> ne(t.ne, t.ne + t.nDims);
        EXPECT_TRUE(w.addTensor(t.name, t.type, ne).ok()) << t.name;
    }
    return w;
}

// A small writer with every metadata value type and tensors whose sizes are not multiples of 32.
GgufWriter sampleWriter()
{
    GgufWriter w;
    w.set("general.architecture", GgufValue::string("llama"));
    w.set("t.u8", GgufValue::u8(200));
    w.set("t.i8", GgufValue::i8(-5));
    w.set("t.u16", GgufValue::u16(65000));
    w.set("t.i16", GgufValue::i16(-30000));
    w.set("t.u32", GgufValue::u32(4000000000u));
    w.set("t.i32", GgufValue::i32(-2000000000));
    w.set("t.u64", GgufValue::u64(1ull << 40));
    w.set("t.i64", GgufValue::i64(-(1ll << 40)));
    w.set("t.f32", GgufValue::f32(0.25f));
    w.set("t.f64", GgufValue::f64(1e-300));
    w.set("t.bool", GgufValue::boolean(true));
    w.set("t.strings", GgufValue::stringArray({"a", "", "ünï"}));
    w.set("t.floats", GgufValue::f32Array({1.0f, -2.5f}));
    w.set("t.ints", GgufValue::i32Array({7, -8, 9}));
    EXPECT_TRUE(w.addTensor("a", DType::F32, {3}).ok());
    EXPECT_TRUE(w.addTensor("b", DType::F16, {5, 3}).ok());
    EXPECT_TRUE(w.addTensor("c", DType::Q8_0, {64, 2}).ok());
    return w;
}

std::vector<std::byte> patternBytes(std::size_t n, unsigned seed)
{
    std::vector<std::byte> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 131 + seed * 17 + 7) & 0xff);
    return v;
}

TEST(GgufWriter, ReserializingTheReferenceGgufIsByteIdentical)
{
    const fs::path ref = test::referenceGguf("F16");
    auto g = GgufFile::open(ref);
    ASSERT_TRUE(g.ok()) << describe(g.error());
    GgufWriter w = writerFrom(**g);
    TempDir dir;
    jobs::NullSink sink;
    auto r = w.write(dir / "copy.gguf", CopyFrom(**g), {}, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_EQ(r->bytes, fs::file_size(ref));
    EXPECT_TRUE(test::readFile(dir / "copy.gguf") == test::readFile(ref));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"copy.gguf"});
}

TEST(GgufWriter, HeaderMatchesTheReferenceUpToTheDataSection)
{
    const fs::path ref = test::referenceGguf("F16");
    auto g = GgufFile::open(ref);
    ASSERT_TRUE(g.ok());
    auto h = writerFrom(**g).serializeHeader();
    ASSERT_TRUE(h.ok());
    ASSERT_EQ(h->size(), (*g)->dataOffset());
    const std::string bytes = test::readFile(ref);
    EXPECT_EQ(std::memcmp(h->data(), bytes.data(), h->size()), 0);
}

TEST(GgufWriter, RoundTripsEveryValueTypeAndTensorBytes)
{
    GgufWriter w = sampleWriter();
    std::vector<std::vector<std::byte>> data;
    for (std::size_t i = 0; i < w.tensors().size(); ++i) data.push_back(patternBytes(w.tensors()[i].bytes, static_cast<unsigned>(i)));
    TempDir dir;
    jobs::NullSink sink;
    auto r = w.write(dir / "x.gguf", [&](std::size_t i, TensorOutput& out) { return out.write(data[i]); }, {}, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());

    auto g = GgufFile::open(dir / "x.gguf");
    ASSERT_TRUE(g.ok()) << describe(g.error());
    EXPECT_EQ((*g)->version(), 3u);
    ASSERT_EQ((*g)->metadata().size(), w.metadata().size());
    for (std::size_t k = 0; k < w.metadata().size(); ++k) {
        EXPECT_EQ((*g)->metadata()[k].key, w.metadata()[k].key);
        EXPECT_TRUE((*g)->metadata()[k].value == w.metadata()[k].value) << w.metadata()[k].key;
    }
    EXPECT_EQ((*g)->getUInt("t.u64"), 1ull << 40);
    EXPECT_EQ((*g)->find("t.i64")->asInt(), -(1ll << 40));
    EXPECT_EQ((*g)->find("t.strings")->strings(), (std::vector<std::string>{"a", "", "ünï"}));
    ASSERT_EQ((*g)->tensors().size(), 3u);
    EXPECT_EQ((*g)->tensors()[1].ne[0], 5u);
    EXPECT_EQ((*g)->tensors()[1].ne[1], 3u);
    EXPECT_EQ((*g)->tensors()[2].type, DType::Q8_0);
    EXPECT_EQ((*g)->tensors()[2].bytes, 2u * 2u * 34u); // two rows of two Q8_0 blocks
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ((*g)->tensors()[i].offset % 32, 0u);
        const auto span = (*g)->tensorData(i);
        ASSERT_EQ(span.size(), data[i].size());
        EXPECT_EQ(std::memcmp(span.data(), data[i].data(), span.size()), 0);
    }
    EXPECT_EQ((*g)->fileSize() % 32, 0u); // the last tensor is padded too, as gguf-py does
}

TEST(GgufWriter, HonoursGeneralAlignment)
{
    GgufWriter w = sampleWriter();
    w.set("general.alignment", GgufValue::u32(256));
    for (const auto& t : w.tensors()) EXPECT_EQ(t.offset % 256, 0u);
    TempDir dir;
    jobs::NullSink sink;
    auto r = w.write(dir / "a.gguf", [&](std::size_t i, TensorOutput& out) { return out.write(patternBytes(w.tensors()[i].bytes, 1)); }, {}, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    auto g = GgufFile::open(dir / "a.gguf");
    ASSERT_TRUE(g.ok());
    EXPECT_EQ((*g)->alignment(), 256u);
    EXPECT_EQ((*g)->dataOffset() % 256, 0u);
    EXPECT_EQ((*g)->tensors()[2].offset, 512u);

    w.set("general.alignment", GgufValue::u32(48)); // not a power of two
    auto bad = w.write(dir / "b.gguf", [&](std::size_t i, TensorOutput& out) { return out.write(patternBytes(w.tensors()[i].bytes, 1)); }, {}, sink);
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.gguf"});
}

TEST(GgufWriter, SettingAKeyAgainKeepsItsPosition)
{
    GgufWriter w;
    w.set("a", GgufValue::u32(1));
    w.set("b", GgufValue::u32(2));
    w.set("a", GgufValue::string("x"));
    ASSERT_EQ(w.metadata().size(), 2u);
    EXPECT_EQ(w.metadata()[0].key, "a");
    EXPECT_EQ(*w.metadata()[0].value.asString(), "x");
    EXPECT_TRUE(w.remove("a"));
    EXPECT_EQ(w.metadata().front().key, "b");
}

TEST(GgufWriter, RejectsBadTensors)
{
    GgufWriter w;
    EXPECT_FALSE(w.addTensor(std::string(64, 'x'), DType::F32, {1}).ok());
    EXPECT_TRUE(w.addTensor("t", DType::F32, {1}).ok());
    EXPECT_FALSE(w.addTensor("t", DType::F32, {1}).ok());
    EXPECT_FALSE(w.addTensor("q", DType::Q4_0, {31}).ok()); // row not a multiple of the block size
    EXPECT_FALSE(w.addTensor("d", DType::F32, {1, 1, 1, 1, 1}).ok());
    EXPECT_FALSE(w.addTensor("u", DType::U8, {4}).ok()); // safetensors-only dtype
}

TEST(GgufWriter, ProducerErrorLeavesNothingBehind)
{
    GgufWriter w = sampleWriter();
    TempDir dir;
    jobs::NullSink sink;
    auto r = w.write(dir / "x.gguf", [&](std::size_t i, TensorOutput& out) -> Status {
        if (i == 2) return makeError(ErrorCode::Malformed, "in", "boom");
        return out.write(patternBytes(w.tensors()[i].bytes, 0));
    }, {}, sink);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::Malformed);
    EXPECT_EQ(r.error().tensor, "c");
    EXPECT_TRUE(dir.entries().empty());
}

TEST(GgufWriter, ShortOrLongProducerIsAnError)
{
    GgufWriter w = sampleWriter();
    TempDir dir;
    jobs::NullSink sink;
    auto shortR = w.write(dir / "x.gguf", [&](std::size_t i, TensorOutput& out) {
        return out.write(patternBytes(w.tensors()[i].bytes - (i == 1 ? 1 : 0), 0));
    }, {}, sink);
    EXPECT_FALSE(shortR.ok());
    auto longR = w.write(dir / "x.gguf", [&](std::size_t i, TensorOutput& out) { return out.write(patternBytes(w.tensors()[i].bytes + 1, 0)); }, {}, sink);
    EXPECT_FALSE(longR.ok());
    EXPECT_TRUE(dir.entries().empty());
}

TEST(GgufWriter, CancellationAtEachTensorLeavesNothingBehind)
{
    GgufWriter w = sampleWriter();
    TempDir dir;
    for (std::uint64_t k = 0; k < w.tensors().size(); ++k) {
        std::stop_source src;
        StopAt sink(src, jobs::Stage::Writing, k);
        auto r = w.write(dir / "x.gguf", [&](std::size_t i, TensorOutput& out) { return out.write(patternBytes(w.tensors()[i].bytes, 0)); },
                         {}, sink, src.get_token());
        ASSERT_FALSE(r.ok()) << "stop at tensor " << k;
        EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
        EXPECT_TRUE(dir.entries().empty()) << "stop at tensor " << k;
    }
}

TEST(GgufWriter, RefusesToOverwriteAnInputAndKeepsIt)
{
    GgufWriter w = sampleWriter();
    TempDir dir;
    const fs::path in = dir / "in.gguf";
    test::writeFile(in, "original bytes");
    GgufWriteOptions opts;
    opts.inputs = {in};
    jobs::NullSink sink;
    auto r = w.write(in, [&](std::size_t i, TensorOutput& out) { return out.write(patternBytes(w.tensors()[i].bytes, 0)); }, opts, sink);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(test::readFile(in), "original bytes");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"in.gguf"});
}

TEST(GgufWriter, FailedWriteKeepsAnExistingTargetAndSuccessReplacesIt)
{
    GgufWriter w = sampleWriter();
    TempDir dir;
    const fs::path out = dir / "out.gguf";
    test::writeFile(out, "previous");
    jobs::NullSink sink;
    auto bad = w.write(out, [](std::size_t, TensorOutput&) { return Status(makeError(ErrorCode::IoError, "x", "fail")); }, {}, sink);
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(test::readFile(out), "previous");
    auto good = w.write(out, [&](std::size_t i, TensorOutput& o) { return o.write(patternBytes(w.tensors()[i].bytes, 0)); }, {}, sink);
    ASSERT_TRUE(good.ok()) << describe(good.error());
    EXPECT_TRUE(GgufFile::open(out).ok());
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.gguf"});
}

TEST(GgufWriter, MissingFolderOrFolderTargetIsAnError)
{
    GgufWriter w = sampleWriter();
    TempDir dir;
    jobs::NullSink sink;
    auto p = [&](std::size_t i, TensorOutput& o) { return o.write(patternBytes(w.tensors()[i].bytes, 0)); };
    auto a = w.write(dir / "no" / "such" / "x.gguf", p, {}, sink);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.error().code, ErrorCode::NotFound);
    auto b = w.write(dir.path(), p, {}, sink);
    EXPECT_FALSE(b.ok());
    EXPECT_TRUE(dir.entries().empty());
}

// A write the kernel refuses (file size limit: EFBIG, the same cleanup path as ENOSPC).
TEST(GgufWriter, KernelWriteErrorLeavesNothingBehind)
{
    GgufWriter w;
    ASSERT_TRUE(w.addTensor("big", DType::F32, {1024, 1024, 4}).ok()); // 16 MiB
    TempDir dir;
    jobs::NullSink sink;
    rlimit old{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old), 0);
    auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit lim = old;
    lim.rlim_cur = 1u << 20;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &lim), 0);
    auto r = w.write(dir / "big.gguf", [&](std::size_t, TensorOutput& o) -> Status {
        const std::vector<std::byte> chunk(1u << 20);
        for (int k = 0; k < 16; ++k) CONDENSE_TRY(o.write(chunk));
        return okStatus();
    }, {}, sink);
    setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().code == ErrorCode::IoError || r.error().code == ErrorCode::DiskFull) << describe(r.error());
    EXPECT_TRUE(dir.entries().empty());
}

} // namespace
} // namespace condense::io
