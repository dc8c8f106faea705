// HF quantized exports (core/pipeline/hf_export.h) of the demo model, read back through
// Checkpoint (core/io/checkpoint.h: packed linears shown as lazily dequantized F32 weights):
// every quantized weight equals the quantizer's own dequantized output (after the F16 rounding
// of the scales) bit for bit, every other tensor keeps its bytes, the folder carries the configs
// and tokenizer files; sharding, the provider entry point, replacements, refusals, cancellation.

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/io/checkpoint.h"
#include "core/pipeline/hf_export.h"
#include "core/pipeline/quantize_request.h"
#include "core/quant/awq.h"
#include "core/quant/gptq.h"
#include "core/quant/packed_linear.h"
#include "core/quant/row_source.h"
#include "core/tensor/float_convert.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::pipeline {
namespace {

namespace fs = std::filesystem;
using quant::HfQuantFormat;
using test::demoDir;
using test::TempDir;

std::shared_ptr<const io::Checkpoint> open(const fs::path& p)
{
    jobs::NullSink sink;
    auto c = io::openCheckpoint(p, sink);
    EXPECT_TRUE(c.ok()) << (c ? "" : describe(c.error()));
    return c ? *c : nullptr;
}

std::string readFile(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::vector<float> floats(const io::Checkpoint& ck, std::size_t i)
{
    const auto& t = ck.tensors()[i];
    const auto d = ck.tensorData(i);
    std::vector<float> v(t.elements());
    EXPECT_TRUE(convertToF32(t.dtype, d.data(), v.data(), v.size()));
    return v;
}

// What the export must have written for one linear: the quantizer's dequantized output after
// the F16 rounding of its scales.
std::vector<float> expectedWeight(const std::vector<float>& w, std::int64_t rows, std::int64_t cols, const quant::PackConfig& p)
{
    Result<quant::GptqResult> q = makeError(ErrorCode::InvalidArgument, {}, "");
    if (p.format == HfQuantFormat::AwqGemm) {
        quant::AwqOptions o;
        o.bits = p.bits;
        o.groupSize = p.groupSize;
        q = quant::awqQuantize(w, rows, cols, o);
    } else {
        quant::GptqOptions o;
        o.bits = p.bits;
        o.groupSize = p.groupSize;
        o.symmetric = p.symmetric;
        q = quant::rtnQuantize(w, rows, cols, o);
    }
    EXPECT_TRUE(q.ok());
    EXPECT_TRUE(quant::roundScalesToHalf(*q).ok());
    return q->dequantized;
}

struct Case {
    const char* name;
    quant::PackConfig pack;
    const char* quantMethod;
};

TEST(HfExport, DemoInEveryFormatReadsBackAsRtnExactly)
{
    const Case cases[] = {
        {"gptq4", {HfQuantFormat::GptqV1, 4, 128, true, false}, "gptq"},
        {"gptqv2-3bit-asym", {HfQuantFormat::GptqV2, 3, 128, false, false}, "gptq"},
        {"gptq8-rows", {HfQuantFormat::GptqV1, 8, -1, true, false}, "gptq"},
        {"ct4", {HfQuantFormat::CompressedTensors, 4, 128, true, false}, "compressed-tensors"},
        {"ct8-channel-asym", {HfQuantFormat::CompressedTensors, 8, -1, false, false}, "compressed-tensors"},
        {"awq", {HfQuantFormat::AwqGemm, 4, 128, false, false}, "awq"},
    };
    TempDir tmp("condense-hfx");
    const auto src = open(demoDir());
    ASSERT_TRUE(src);
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        HfExportRequest r;
        r.input = demoDir();
        r.output = tmp / c.name;
        r.pack = c.pack;
        jobs::NullSink sink;
        auto x = runHfExport(r, sink);
        ASSERT_TRUE(x.ok()) << describe(x.error());
        EXPECT_EQ(x->quantizedLinears, 42u);
        EXPECT_EQ(x->shards, 1u);

        const auto out = open(r.output);
        ASSERT_TRUE(out);
        ASSERT_TRUE(out->quantization());
        EXPECT_EQ(out->quantization()->format, c.pack.format);
        EXPECT_EQ(out->quantization()->bits, c.pack.bits);
        EXPECT_EQ(out->quantization()->groupSize, c.pack.groupSize);
        EXPECT_EQ(out->quantization()->symmetric, c.pack.symmetric);
        ASSERT_EQ(out->tensors().size(), src->tensors().size());
        ASSERT_EQ(out->dequantizedCount(), 42u);
        EXPECT_FALSE(out->dequantizedLinear(0).decoded()); // lazy: nothing decoded at open
        std::size_t quantized = 0;
        for (std::size_t i = 0; i < src->tensors().size(); ++i) {
            const auto& t = src->tensors()[i];
            const std::int64_t j = out->findTensor(t.name);
            ASSERT_GE(j, 0) << t.name;
            const auto& u = out->tensors()[static_cast<std::size_t>(j)];
            EXPECT_EQ(u.shape, t.shape) << t.name;
            if (isExportedLinear(t.name)) {
                ++quantized;
                EXPECT_EQ(u.dtype, DType::F32);
                EXPECT_GE(u.dequantized, 0);
                const auto want = expectedWeight(floats(*src, i), static_cast<std::int64_t>(t.shape[0]),
                                                 static_cast<std::int64_t>(t.shape[1]), c.pack);
                const auto got = out->tensorData(static_cast<std::size_t>(j));
                ASSERT_EQ(got.size(), want.size() * 4);
                EXPECT_EQ(0, std::memcmp(got.data(), want.data(), got.size())) << t.name;
            } else {
                EXPECT_EQ(u.dtype, t.dtype) << t.name;
                const auto a = src->tensorData(i);
                const auto b = out->tensorData(static_cast<std::size_t>(j));
                ASSERT_EQ(a.size(), b.size());
                EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.size())) << t.name;
            }
        }
        EXPECT_EQ(quantized, 42u);
        EXPECT_TRUE(out->dequantizedLinear(0).decoded());
        for (const auto& t : out->tensors()) {
            EXPECT_EQ(t.name.find("qweight"), std::string::npos);
            EXPECT_EQ(t.name.find("weight_packed"), std::string::npos);
        }
        // Configs and copied files.
        const auto config = nlohmann::json::parse(readFile(r.output / "config.json"));
        EXPECT_EQ(config["quantization_config"]["quant_method"], c.quantMethod);
        EXPECT_EQ(config["architectures"][0], "LlamaForCausalLM");
        const bool gptq = c.pack.format == HfQuantFormat::GptqV1 || c.pack.format == HfQuantFormat::GptqV2;
        EXPECT_EQ(fs::exists(r.output / "quantize_config.json"), gptq);
        if (gptq) {
            EXPECT_EQ(config["quantization_config"]["checkpoint_format"], c.pack.format == HfQuantFormat::GptqV1 ? "gptq" : "gptq_v2");
        }
        for (const char* f : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"})
            EXPECT_EQ(readFile(r.output / f), readFile(demoDir() / f)) << f;
    }
    // Nothing else was left beside the outputs (no temporary folders).
    EXPECT_EQ(tmp.entries().size(), std::size(cases));
}

TEST(HfExport, ShardsLikeHuggingFaceWhenBig)
{
    TempDir tmp("condense-hfx");
    HfExportRequest r;
    r.input = demoDir();
    r.output = tmp / "sharded";
    r.pack = {HfQuantFormat::GptqV1, 4, 128, true, false};
    r.maxShardBytes = 2'500'000;
    jobs::NullSink sink;
    auto x = runHfExport(r, sink);
    ASSERT_TRUE(x.ok()) << describe(x.error());
    EXPECT_GE(x->shards, 3u);
    char first[64];
    std::snprintf(first, sizeof first, "model-00001-of-%05llu.safetensors", static_cast<unsigned long long>(x->shards));
    EXPECT_TRUE(fs::exists(r.output / first)) << first;
    EXPECT_FALSE(fs::exists(r.output / "model.safetensors"));
    const auto index = nlohmann::json::parse(readFile(r.output / "model.safetensors.index.json"));
    EXPECT_TRUE(index["weight_map"].contains("model.layers.0.self_attn.q_proj.qweight"));
    const auto out = open(r.output);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->files().size(), x->shards);
    EXPECT_EQ(out->dequantizedCount(), 42u);
}

TEST(HfExport, ProviderEntryPointAndReplacements)
{
    TempDir tmp("condense-hfx");
    const auto src = open(demoDir());
    ASSERT_TRUE(src);
    HfExportRequest r;
    r.input = demoDir();
    r.output = tmp / "provided";
    r.pack = {HfQuantFormat::CompressedTensors, 4, 128, true, false};
    r.method = "gptq";
    std::atomic<int> calls{0};
    // A stand-in for a GPTQ run: quantizes half the weight (so the result is not what RTN gives).
    r.quantize = [&](const HfLinear& l, std::span<const float> w, std::stop_token) -> Result<quant::GptqResult> {
        ++calls;
        std::vector<float> half(w.begin(), w.end());
        for (auto& v : half) v *= 0.5f;
        quant::GptqOptions o;
        o.bits = 4;
        o.groupSize = 128;
        return quant::rtnQuantize(half, l.rows, l.cols, o);
    };
    const std::int64_t norm = src->findTensor("model.norm.weight");
    ASSERT_GE(norm, 0);
    std::vector<float> folded(src->tensors()[static_cast<std::size_t>(norm)].elements());
    for (std::size_t i = 0; i < folded.size(); ++i) folded[i] = 0.25f + 0.001f * static_cast<float>(i);
    r.replacements["model.norm.weight"] = folded;
    jobs::NullSink sink;
    auto x = runHfExport(r, sink);
    ASSERT_TRUE(x.ok()) << describe(x.error());
    EXPECT_EQ(calls.load(), 42);
    const auto out = open(r.output);
    ASSERT_TRUE(out);
    const std::int64_t q = out->findTensor("model.layers.2.mlp.up_proj.weight");
    ASSERT_GE(q, 0);
    std::vector<float> half = floats(*src, static_cast<std::size_t>(src->findTensor("model.layers.2.mlp.up_proj.weight")));
    for (auto& v : half) v *= 0.5f;
    const auto want = expectedWeight(half, 768, 256, r.pack);
    const auto got = out->tensorData(static_cast<std::size_t>(q));
    ASSERT_EQ(got.size(), want.size() * 4);
    EXPECT_EQ(0, std::memcmp(got.data(), want.data(), got.size()));
    // The replacement is written in the source dtype (F16).
    const auto& nt = out->tensors()[static_cast<std::size_t>(out->findTensor("model.norm.weight"))];
    EXPECT_EQ(nt.dtype, DType::F16);
    const auto nv = floats(*out, static_cast<std::size_t>(out->findTensor("model.norm.weight")));
    for (std::size_t i = 0; i < nv.size(); ++i) ASSERT_EQ(nv[i], fp16ToFp32(fp32ToFp16(folded[i])));
    // A replacement for a tensor the model lacks, or of the wrong size, is refused.
    HfExportRequest bad = r;
    bad.output = tmp / "bad";
    bad.replacements = {{"model.nothing.weight", {1.0f}}};
    EXPECT_FALSE(runHfExport(bad, sink).ok());
    bad.replacements = {{"model.norm.weight", {1.0f}}};
    EXPECT_FALSE(runHfExport(bad, sink).ok());
    EXPECT_FALSE(fs::exists(tmp / "bad"));
}

TEST(HfExport, DequantizationIsThreadSafe)
{
    TempDir tmp("condense-hfx");
    HfExportRequest r;
    r.input = demoDir();
    r.output = tmp / "awq";
    r.pack = {HfQuantFormat::AwqGemm, 4, 128, false, false};
    jobs::NullSink sink;
    ASSERT_TRUE(runHfExport(r, sink).ok());
    const auto out = open(r.output);
    ASSERT_TRUE(out);
    const auto idx = static_cast<std::size_t>(out->findTensor("model.layers.5.mlp.down_proj.weight"));
    std::vector<const std::byte*> seen(8, nullptr);
    std::vector<std::thread> threads;
    for (std::size_t k = 0; k < seen.size(); ++k) threads.emplace_back([&, k] { seen[k] = out->tensorData(idx).data(); });
    for (auto& t : threads) t.join();
    for (auto* p : seen) EXPECT_EQ(p, seen[0]);
    EXPECT_NE(seen[0], nullptr);
    // File-backed: pages a streaming consumer drops come back from the temporary file.
    const auto& lin = out->dequantizedLinear(static_cast<std::size_t>(out->tensors()[idx].dequantized));
    EXPECT_TRUE(lin.fileBacked());
    const auto span = out->tensorData(idx);
    const std::vector<std::byte> copy(span.begin(), span.end());
    quant::releaseInputPages(span);
    const auto again = out->tensorData(idx);
    ASSERT_EQ(again.size(), copy.size());
    EXPECT_EQ(0, std::memcmp(again.data(), copy.data(), copy.size()));
}

TEST(HfExport, RefusesAnExistingModelFolderAndLeavesItAlone)
{
    TempDir tmp("condense-hfx");
    HfExportRequest r;
    r.input = demoDir();
    r.output = tmp / "out";
    r.pack = {HfQuantFormat::GptqV1, 4, 128, true, false};
    jobs::NullSink sink;
    ASSERT_TRUE(runHfExport(r, sink).ok());
    const std::string before = readFile(r.output / "model.safetensors");
    r.pack.bits = 8;
    auto again = runHfExport(r, sink);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().detail.find("already holds a model"), std::string::npos) << describe(again.error());
    EXPECT_EQ(readFile(r.output / "model.safetensors"), before);
    // The input folder itself, and a non-empty folder, are refused too.
    r.output = demoDir();
    EXPECT_FALSE(runHfExport(r, sink).ok());
    fs::create_directories(tmp / "notes");
    std::ofstream(tmp / "notes" / "a.txt") << "x";
    r.output = tmp / "notes";
    EXPECT_FALSE(runHfExport(r, sink).ok());
    // An empty folder is fine (replaced by the export).
    fs::create_directories(tmp / "empty");
    r.output = tmp / "empty";
    EXPECT_TRUE(runHfExport(r, sink).ok());
}

TEST(HfExport, RefusesWhatTheFormatCannotHoldBeforeWriting)
{
    TempDir tmp("condense-hfx");
    jobs::NullSink sink;
    HfExportRequest r;
    r.input = demoDir();
    r.output = tmp / "out";
    // AWQ groups must divide in_features (96 divides 768, not 256): the error names a tensor.
    r.pack = {HfQuantFormat::AwqGemm, 4, 96, false, false};
    auto x = runHfExport(r, sink);
    ASSERT_FALSE(x.ok());
    EXPECT_EQ(x.error().code, ErrorCode::InvalidArgument);
    EXPECT_FALSE(x.error().tensor.empty());
    EXPECT_NE(x.error().detail.find("does not divide"), std::string::npos);
    // 5-bit GPTQ, 3-bit compressed-tensors.
    r.pack = {HfQuantFormat::GptqV1, 5, 128, true, false};
    EXPECT_FALSE(runHfExport(r, sink).ok());
    r.pack = {HfQuantFormat::CompressedTensors, 3, 128, true, false};
    EXPECT_FALSE(runHfExport(r, sink).ok());
    EXPECT_TRUE(tmp.entries().empty());

    // The request layer: defaults, gptq_v2 for zero points, refusals.
    QuantizeRequest q;
    q.input = demoDir();
    q.output = tmp / "q";
    q.format = "gptq";
    q.method = "rtn";
    q.symmetric = false;
    auto e = hfExportRequest(q);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->pack.format, HfQuantFormat::GptqV2);
    q.method.clear(); // gptq by default: runQuantize runs the calibration when no provider is given
    auto byDefault = hfExportRequest(q);
    ASSERT_TRUE(byDefault.ok());
    EXPECT_EQ(byDefault->method, "gptq");
    EXPECT_FALSE(byDefault->quantize);
    q.format = "awq";
    q.method = "rtn";
    q.symmetric = true;
    EXPECT_FALSE(hfExportRequest(q).ok());
    q.symmetric.reset();
    EXPECT_TRUE(hfExportRequest(q).ok());
    QuantizeRequest defaults;
    defaults.format = "awq";
    EXPECT_EQ(effectiveMethod(defaults), "awq");
    defaults.format = "compressed-tensors";
    EXPECT_EQ(effectiveMethod(defaults), "rtn");
    q.format = "compressed-tensors";
    q.actOrder = true;
    EXPECT_FALSE(hfExportRequest(q).ok()); // act-order needs gptq
    q.actOrder = false;
    q.bits = 3;
    EXPECT_FALSE(hfExportRequest(q).ok());
    q.bits = 4;
    q.group = 0;
    EXPECT_FALSE(hfExportRequest(q).ok());
    q.group = 128;
    q.calibration = "general"; // round to nearest takes no calibration text
    EXPECT_FALSE(hfExportRequest(q).ok());
    q.calibration.clear();
    EXPECT_TRUE(hfExportRequest(q).ok());
}

class StopAfter final : public jobs::ProgressSink {
public:
    StopAfter(std::stop_source& s, int n) : m_s(s), m_n(n) {}
    void report(jobs::Stage stage, std::uint64_t, std::uint64_t, std::string_view) override
    {
        if (stage == jobs::Stage::Quantizing && --m_n == 0) m_s.request_stop();
    }

private:
    std::stop_source& m_s;
    int m_n;
};

TEST(HfExport, CancelledExportLeavesNothing)
{
    TempDir tmp("condense-hfx");
    HfExportRequest r;
    r.input = demoDir();
    r.output = tmp / "out";
    r.pack = {HfQuantFormat::CompressedTensors, 4, 128, true, false};
    std::stop_source stop;
    StopAfter sink(stop, 20);
    auto x = runHfExport(r, sink, stop.get_token());
    ASSERT_FALSE(x.ok());
    EXPECT_EQ(x.error().code, ErrorCode::Cancelled);
    EXPECT_TRUE(tmp.entries().empty());
}

} // namespace
} // namespace condense::pipeline
