// Architecture features checked through properties a correct forward pass must have (no
// qwen3 or llama3-scaled model ships with ../shared, so these use modified copies of the tiny
// model's reference GGUF):
//   - qwen3's per-head q/k RMSNorm makes the output invariant to scaling W_q and W_k;
//   - RoPE NORM pairs on permuted Q/K rows equal rotate-half pairs on the original rows;
//   - rope scaling: linear = positions divided by the factor; llama3 keeps the high
//     frequencies, divides the low ones by the factor.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <numbers>

#include "core/io/gguf_file.h"
#include "core/io/gguf_writer.h"
#include "core/arch/tensor_naming.h"
#include "core/model/rope.h"
#include "core/tensor/float_convert.h"
#include "tests/core/model_test_util.h"
#include "tests/support/temp_dir.h"

namespace condense::model::test {
namespace {

namespace fs = std::filesystem;
using condense::test::referenceGguf;
using condense::test::tinyLlamaDir;

// RMSNorm(c q) = q / sqrt(ms + eps / c^2): with eps = 1e-5 the scaled model differs only
// through eps.
constexpr float kNormInvarianceTolerance = 2e-3f;

using TensorEdit = std::function<void(const io::GgufTensorInfo&, std::vector<std::byte>&)>;

// Copies a GGUF with architecture `arch` (keys renamed), extra F32 tensors (name -> values)
// appended, and tensor bytes passed through `edit`.
void rewrite(const fs::path& in, const fs::path& out, const std::string& arch,
             const std::vector<std::pair<std::string, std::vector<float>>>& extra, const TensorEdit& edit)
{
    auto g = io::GgufFile::open(in);
    ASSERT_TRUE(g.ok());
    io::GgufWriter w;
    for (const auto& kv : (*g)->metadata()) {
        if (kv.key == "general.architecture") w.set(kv.key, io::GgufValue::string(arch));
        else if (kv.key.rfind("llama.", 0) == 0) w.set(arch + kv.key.substr(5), kv.value);
        else w.set(kv.key, kv.value);
    }
    const auto& ts = (*g)->tensors();
    for (const auto& t : ts) ASSERT_TRUE(w.addTensor(t.name, t.type, std::vector<std::uint64_t>(t.ne, t.ne + t.nDims)).ok());
    for (const auto& [name, v] : extra) ASSERT_TRUE(w.addTensor(name, DType::F32, {v.size()}).ok());
    jobs::NullSink sink;
    auto r = w.write(
        out,
        [&](std::size_t i, io::TensorOutput& o) -> Status {
            if (i >= ts.size()) return o.write(std::as_bytes(std::span(extra[i - ts.size()].second)));
            const auto src = (*g)->tensorData(i);
            std::vector<std::byte> bytes(src.begin(), src.end());
            if (edit) edit(ts[i], bytes);
            return o.write(bytes);
        },
        {}, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
}

// Multiplies every F16 value of the tensor by c (exact for powers of two in range).
void scaleF16(std::vector<std::byte>& bytes, float c)
{
    auto* h = reinterpret_cast<std::uint16_t*>(bytes.data());
    for (std::size_t i = 0; i < bytes.size() / 2; ++i) h[i] = fp32ToFp16(fp16ToFp32(h[i]) * c);
}

std::vector<std::pair<std::string, std::vector<float>>> qkNorms(int layers, int headDim)
{
    std::vector<std::pair<std::string, std::vector<float>>> out;
    for (int l = 0; l < layers; ++l)
        for (const char* n : {"attn_q_norm", "attn_k_norm"}) {
            std::vector<float> v(static_cast<std::size_t>(headDim));
            for (int i = 0; i < headDim; ++i) v[static_cast<std::size_t>(i)] = 1.0f + 0.05f * std::sin(static_cast<float>(i + l));
            out.emplace_back("blk." + std::to_string(l) + "." + n + ".weight", v);
        }
    return out;
}

TEST(Qwen3, QkNormMakesOutputInvariantToQkScale)
{
    condense::test::TempDir dir("condense-arch");
    const auto ids = goldenPrompts(tinyLlamaDir()).at(1).ids;
    const auto norms = qkNorms(6, 32);
    auto scaleQK = [](const io::GgufTensorInfo& t, std::vector<std::byte>& b) {
        if (t.name.find("attn_q.weight") != std::string::npos) scaleF16(b, 2.0f);
        if (t.name.find("attn_k.weight") != std::string::npos) scaleF16(b, 2.0f);
    };
    rewrite(referenceGguf("F16"), dir / "q3.gguf", "qwen3", norms, {});
    rewrite(referenceGguf("F16"), dir / "q3s.gguf", "qwen3", norms, scaleQK);
    auto a = loadOrFail(dir / "q3.gguf"), b = loadOrFail(dir / "q3s.gguf");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->spec().family, arch::Family::Qwen3);
    EXPECT_FALSE(a->layers()[0].qNorm.empty());
    EXPECT_EQ(a->rope().layout(), RopeLayout::Neox);
    const auto la = allLogits(a, ids), lb = allLogits(b, ids);
    EXPECT_LE(maxAbsDiff(la, lb), kNormInvarianceTolerance);

    // Without the norms the same scaling changes the output: the check above is not vacuous.
    rewrite(referenceGguf("F16"), dir / "l.gguf", "llama", {}, {});
    rewrite(referenceGguf("F16"), dir / "ls.gguf", "llama", {}, scaleQK);
    auto c = loadOrFail(dir / "l.gguf"), d = loadOrFail(dir / "ls.gguf");
    ASSERT_TRUE(c && d);
    EXPECT_GT(maxAbsDiff(allLogits(c, ids), allLogits(d, ids)), 0.1f);
}

TEST(Qwen3, MissingQkNormIsAMissingTensor)
{
    condense::test::TempDir dir("condense-arch");
    auto norms = qkNorms(6, 32);
    norms.pop_back(); // blk.5.attn_k_norm.weight
    rewrite(referenceGguf("F16"), dir / "q3.gguf", "qwen3", norms, {});
    auto ck = openOrFail(dir / "q3.gguf");
    ASSERT_NE(ck, nullptr);
    auto m = loadModel(ck);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, ErrorCode::MissingTensor);
    EXPECT_EQ(m.error().tensor, "blk.5.attn_k_norm.weight");
}

TEST(Rope, NormPairsOnPermutedRowsEqualRotateHalfOnOriginalRows)
{
    arch::ModelSpec spec;
    spec.ropeTheta = 10000.0;
    const int hd = 64;
    auto neox = Rope::create(spec, hd, hd, RopeLayout::Neox, {}, "x");
    auto norm = Rope::create(spec, hd, hd, RopeLayout::Norm, {}, "x");
    ASSERT_TRUE(neox.ok() && norm.ok());
    std::vector<float> c(hd / 2), s(hd / 2);
    neox->angles(37, c.data(), s.data());
    std::vector<float> v(hd), p(hd);
    for (int i = 0; i < hd; ++i) v[static_cast<std::size_t>(i)] = std::cos(0.3f * static_cast<float>(i)) + 0.01f * static_cast<float>(i);
    // p = v with llama.cpp's Q/K row permutation (one head): p[r] = v[src(r)].
    for (int r = 0; r < hd; ++r)
        p[static_cast<std::size_t>(r)] = v[arch::qkPermutedSourceRow(static_cast<std::uint64_t>(r), hd, 1)];
    neox->rotate(v.data(), c.data(), s.data());
    norm->rotate(p.data(), c.data(), s.data());
    for (int r = 0; r < hd; ++r)
        EXPECT_EQ(p[static_cast<std::size_t>(r)], v[arch::qkPermutedSourceRow(static_cast<std::uint64_t>(r), hd, 1)]) << r;
}

TEST(Rope, ScalingRules)
{
    arch::ModelSpec spec;
    spec.ropeTheta = 500000.0;
    const int hd = 128;
    auto plain = Rope::create(spec, hd, hd, RopeLayout::Neox, {}, "x");
    ASSERT_TRUE(plain.ok());
    spec.ropeScaling.type = "linear";
    spec.ropeScaling.factor = 4.0;
    auto linear = Rope::create(spec, hd, hd, RopeLayout::Neox, {}, "x");
    ASSERT_TRUE(linear.ok());
    for (int i = 0; i < hd / 2; ++i)
        EXPECT_DOUBLE_EQ(linear->inverseFrequencies()[static_cast<std::size_t>(i)],
                         plain->inverseFrequencies()[static_cast<std::size_t>(i)] / 4.0);

    // Llama 3.1's parameters (transformers modeling_rope_utils _compute_llama3_parameters).
    spec.ropeScaling.type = "llama3";
    spec.ropeScaling.factor = 8.0;
    spec.ropeScaling.lowFreqFactor = 1.0;
    spec.ropeScaling.highFreqFactor = 4.0;
    spec.ropeScaling.originalMaxPositions = 8192;
    auto l3 = Rope::create(spec, hd, hd, RopeLayout::Neox, {}, "x");
    ASSERT_TRUE(l3.ok());
    int kept = 0, divided = 0, smoothed = 0;
    for (int i = 0; i < hd / 2; ++i) {
        const double f = plain->inverseFrequencies()[static_cast<std::size_t>(i)];
        const double g = l3->inverseFrequencies()[static_cast<std::size_t>(i)];
        const double wave = 2 * std::numbers::pi / f;
        if (wave < 8192.0 / 4.0) {
            EXPECT_DOUBLE_EQ(g, f);
            ++kept;
        } else if (wave > 8192.0) {
            EXPECT_DOUBLE_EQ(g, f / 8.0);
            ++divided;
        } else {
            EXPECT_GT(g, f / 8.0);
            EXPECT_LT(g, f);
            ++smoothed;
        }
    }
    EXPECT_GT(kept, 0);
    EXPECT_GT(divided, 0);
    EXPECT_GT(smoothed, 0);

    // GGUF rope_freqs (llama.cpp's form) divide the frequencies one by one.
    spec.ropeScaling = {};
    std::vector<float> factors(hd / 2, 2.0f);
    auto gg = Rope::create(spec, hd, hd, RopeLayout::Norm, factors, "x");
    ASSERT_TRUE(gg.ok());
    EXPECT_DOUBLE_EQ(gg->inverseFrequencies()[3], plain->inverseFrequencies()[3] / 2.0);

    spec.ropeScaling.type = "yarn";
    auto yarn = Rope::create(spec, hd, hd, RopeLayout::Neox, {}, "model.gguf");
    ASSERT_FALSE(yarn.ok());
    EXPECT_EQ(yarn.error().code, ErrorCode::UnsupportedArchitecture);
}

} // namespace
} // namespace condense::model::test
