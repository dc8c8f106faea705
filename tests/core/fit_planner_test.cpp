// Hardware profiles (core/plan/hardware_profile.h), the config-only tensor list
// (core/plan/spec_tensors.h) and the fit planner (core/plan/fit_planner.h).
//
// KV cache, hand-checked (Llama-3-8B: 32 layers, 8 KV heads of head_dim 128, GQA 32/8 = 4):
//   f16,  ctx 8192: 32 x 8 x 128 x 8192 x 2 (K and V) x 2 bytes = 1,073,741,824 bytes (1 GiB);
//                   a model without GQA (32 KV heads) would need 4 GiB.
//   q8_0, ctx 8192: 536,870,912 values / 32 x 34 bytes = 570,425,344 bytes.
//   f16,  ctx 4096 on Qwen2.5-7B (28 layers, 4 KV heads, head_dim 128):
//                   28 x 4 x 128 x 4096 x 2 x 2 = 234,881,024 bytes (224 MiB).
//
// Sizes from config.json alone against published figures (no weights involved):
//   - whole-file bits per weight of Llama-3.1-8B, llama.cpp tools/quantize/README.md
//     (../shared/reference/formats.md 8.3): ours equal them to the 4th decimal for every mix
//     (Q2_K 3.1593, Q3_K_S 3.6429, Q3_K_M 3.9960, Q3_K_L 4.2979, Q4_K_S 4.6672, Q4_K_M 4.8944,
//     Q5_K_S 5.5704, Q5_K_M 5.7036, Q6_K 6.5633, Q8_0 8.5008, F16 16.0005, IQ4_XS 4.4597, IQ4_NL 4.6818);
//     Llama-3-8B Q4_K_M: 4,912,898,048 tensor bytes, predicted file 4.921 GB; bartowski's /
//     the scoreboard's file: 4.92 GB (4.58 GiB).
//   - bartowski/Meta-Llama-3.1-70B-Instruct-GGUF file sizes (decimal GB): Q4_K_M 42.52, Q5_K_M 49.95,
//     Q6_K 57.89, Q8_0 74.98; ours (tensor bytes + estimated metadata): 42.521, 49.950, 57.889, 74.976.
//   - bartowski/Qwen2.5-7B-Instruct-GGUF Q4_K_M: 4.68 GB; ours 4.677 GB of tensors, 4.687 predicted
//     (the metadata estimate of 64 bytes per vocabulary entry is ~2 MB high for Qwen2's tokenizer).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "core/io/hf_config.h"
#include "core/jobs/progress.h"
#include "core/pipeline/plan_request.h"
#include "core/plan/fit_planner.h"
#include "core/plan/hardware_profile.h"
#include "core/plan/spec_tensors.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace condense;
using namespace condense::plan;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr double kGB = 1e9;

// Hugging Face config.json files of well-known models (the values their repositories publish).
const char* kLlama3_8B = R"({"architectures":["LlamaForCausalLM"],"attention_bias":false,"hidden_act":"silu","hidden_size":4096,
  "intermediate_size":14336,"max_position_embeddings":8192,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,
  "num_key_value_heads":8,"rms_norm_eps":1e-05,"rope_scaling":null,"rope_theta":500000.0,"tie_word_embeddings":false,
  "torch_dtype":"bfloat16","vocab_size":128256})";
const char* kLlama31_8B = R"({"architectures":["LlamaForCausalLM"],"attention_bias":false,"hidden_act":"silu","hidden_size":4096,
  "intermediate_size":14336,"max_position_embeddings":131072,"model_type":"llama","num_attention_heads":32,"num_hidden_layers":32,
  "num_key_value_heads":8,"rms_norm_eps":1e-05,"rope_scaling":{"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,
  "original_max_position_embeddings":8192,"rope_type":"llama3"},"rope_theta":500000.0,"tie_word_embeddings":false,
  "torch_dtype":"bfloat16","vocab_size":128256})";
const char* kLlama31_70B = R"({"architectures":["LlamaForCausalLM"],"attention_bias":false,"hidden_act":"silu","hidden_size":8192,
  "intermediate_size":28672,"max_position_embeddings":131072,"model_type":"llama","num_attention_heads":64,"num_hidden_layers":80,
  "num_key_value_heads":8,"rms_norm_eps":1e-05,"rope_scaling":{"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,
  "original_max_position_embeddings":8192,"rope_type":"llama3"},"rope_theta":500000.0,"tie_word_embeddings":false,
  "torch_dtype":"bfloat16","vocab_size":128256})";
const char* kQwen25_7B = R"({"architectures":["Qwen2ForCausalLM"],"hidden_act":"silu","hidden_size":3584,"intermediate_size":18944,
  "max_position_embeddings":32768,"model_type":"qwen2","num_attention_heads":28,"num_hidden_layers":28,"num_key_value_heads":4,
  "rms_norm_eps":1e-06,"rope_theta":1000000.0,"sliding_window":131072,"tie_word_embeddings":false,"torch_dtype":"bfloat16",
  "use_sliding_window":false,"vocab_size":152064})";

struct Model {
    arch::ModelSpec spec;
    std::vector<PlanTensorInput> tensors;
};

Model model(const char* config)
{
    auto spec = io::parseHfConfig(config, "config.json");
    EXPECT_TRUE(spec.ok()) << describe(spec.error());
    auto t = tensorsFromSpec(*spec, "config.json");
    EXPECT_TRUE(t.ok()) << describe(t.error());
    return {*spec, *t};
}

std::uint64_t params(const Model& m)
{
    std::uint64_t n = 0;
    for (const auto& t : m.tensors) {
        std::uint64_t e = 1;
        for (auto d : t.ne) e *= d;
        n += e;
    }
    return n;
}

QuantPlan mixPlan(const Model& m, const char* mix)
{
    auto facts = modelFacts(m.spec, "config.json");
    EXPECT_TRUE(facts.ok());
    MixOptions o;
    o.mix = findMix(mix);
    auto p = planMix(m.tensors, *facts, o);
    EXPECT_TRUE(p.ok()) << describe(p.error());
    return *p;
}

fs::path builtinDir() { return test::sourceDir() / "resources" / "profiles"; }

std::vector<HardwareProfile> builtins()
{
    auto all = loadProfiles(builtinDir());
    EXPECT_TRUE(all.ok()) << describe(all.error());
    return all.ok() ? *all : std::vector<HardwareProfile>{};
}

const HardwareProfile& byId(const std::vector<HardwareProfile>& all, const std::string& id)
{
    const auto it = std::find_if(all.begin(), all.end(), [&](const HardwareProfile& p) { return p.id == id; });
    if (it == all.end()) throw std::runtime_error("no profile " + id);
    return *it;
}

FitResult fit(const HardwareProfile& p, const Model& m, std::uint64_t ctx, KvCacheType kv = KvCacheType::F16)
{
    FitOptions o;
    o.context = ctx;
    o.kvType = kv;
    auto r = planFit(p, m.spec, m.tensors, o, "config.json");
    EXPECT_TRUE(r.ok()) << describe(r.error());
    return *r;
}

// ---- KV cache ---------------------------------------------------------------------------------

TEST(FitPlanner, KvCacheBytesFollowTheGqaFormula)
{
    EXPECT_EQ(kvCacheBytes(32, 8, 128, 8192, KvCacheType::F16), 1073741824ull);
    EXPECT_EQ(kvCacheBytes(32, 32, 128, 8192, KvCacheType::F16), 4294967296ull); // without GQA
    EXPECT_EQ(kvCacheBytes(32, 8, 128, 8192, KvCacheType::Q8_0), 570425344ull);
    EXPECT_EQ(kvCacheBytes(28, 4, 128, 4096, KvCacheType::F16), 234881024ull);

    // The planner's figure for the model is the formula's (KV heads from config.json, not heads).
    const Model llama = model(kLlama3_8B);
    const auto all = builtins();
    const FitResult r = fit(byId(all, "desktop-cpu-32gb"), llama, 8192);
    ASSERT_TRUE(r.fits);
    EXPECT_EQ(r.chosen.device.kvCache, 1073741824ull);
    const FitResult q = fit(byId(all, "desktop-cpu-32gb"), llama, 8192, KvCacheType::Q8_0);
    EXPECT_EQ(q.chosen.device.kvCache, 570425344ull);
    const FitResult qwen = fit(byId(all, "desktop-cpu-32gb"), model(kQwen25_7B), 4096);
    EXPECT_EQ(qwen.chosen.device.kvCache, 234881024ull);
}

// ---- Tensors from config.json -------------------------------------------------------------------

TEST(SpecTensors, ParameterCountsOfPublishedModels)
{
    const Model l8 = model(kLlama3_8B);
    EXPECT_EQ(l8.tensors.size(), 291u);
    EXPECT_EQ(params(l8), 8030261248ull); // meta-llama/Meta-Llama-3-8B: 8.03B
    const Model l31 = model(kLlama31_8B);
    EXPECT_EQ(l31.tensors.size(), 292u); // + rope_freqs.weight
    EXPECT_EQ(params(l31), 8030261248ull + 64);
    const Model q = model(kQwen25_7B);
    EXPECT_EQ(q.tensors.size(), 339u); // q/k/v biases
    EXPECT_EQ(params(q), 7615616512ull); // Qwen/Qwen2.5-7B: 7.61B
    for (const auto& t : q.tensors) {
        const bool oneD = t.ne.size() == 1;
        EXPECT_EQ(t.type, oneD ? DType::F32 : DType::F16) << t.name;
    }
    EXPECT_TRUE(std::is_sorted(q.tensors.begin(), q.tensors.end(),
                               [](const PlanTensorInput& a, const PlanTensorInput& b) { return llamaTensorOrderLess(a.name, b.name); }));
}

TEST(SpecTensors, MixBitsPerWeightEqualLlamaQuantizesPublishedFigures)
{
    // llama.cpp tools/quantize/README.md, Llama-3.1-8B, whole file.
    const std::pair<const char*, double> published[] = {
        {"Q2_K", 3.1593}, {"Q3_K_S", 3.6429}, {"Q3_K_M", 3.9960}, {"Q3_K_L", 4.2979}, {"Q4_K_S", 4.6672},
        {"Q4_K_M", 4.8944}, {"Q5_K_S", 5.5704}, {"Q5_K_M", 5.7036}, {"Q6_K", 6.5633}, {"Q8_0", 8.5008},
        {"F16", 16.0005}, {"IQ4_XS", 4.4597}, {"IQ4_NL", 4.6818},
    };
    const Model m = model(kLlama31_8B);
    for (const auto& [mix, bpw] : published) EXPECT_NEAR(mixPlan(m, mix).bitsPerWeight(), bpw, 0.00006) << mix;
}

TEST(SpecTensors, PredictedFileSizesMatchPublishedGgufs)
{
    const auto all = builtins();
    // A profile big enough for anything, restricted to one mix at a time.
    HardwareProfile big = byId(all, "edge-server-cpu-64gb");
    big.ram.usableBytes = big.ram.totalBytes = 1ull << 40;
    const auto predicted = [&](const Model& m, const char* mix) {
        FitOptions o;
        o.mixes = {mix};
        auto r = planFit(big, m.spec, m.tensors, o, "config.json");
        EXPECT_TRUE(r.ok() && r->fits);
        return static_cast<double>(r->fileBytes) / kGB;
    };
    const Model l70 = model(kLlama31_70B);
    EXPECT_NEAR(predicted(l70, "Q4_K_M"), 42.52, 0.006);
    EXPECT_NEAR(predicted(l70, "Q5_K_M"), 49.95, 0.006);
    EXPECT_NEAR(predicted(l70, "Q6_K"), 57.89, 0.006);
    EXPECT_NEAR(predicted(l70, "Q8_0"), 74.98, 0.006);
    EXPECT_NEAR(predicted(model(kLlama3_8B), "Q4_K_M"), 4.92, 0.006);
    EXPECT_NEAR(predicted(model(kQwen25_7B), "Q4_K_M"), 4.68, 0.01);
}

// The list from config.json alone equals the one from the weights (the conversion layout), on
// the in-repo llama (SentencePiece) and qwen2 (biases, sharded BF16) models.
TEST(SpecTensors, ConfigOnlyListEqualsTheCheckpointsOwn)
{
    for (const fs::path& dir : {test::demoDir(), test::tinyQwen2Dir()}) {
        SCOPED_TRACE(dir.string());
        test::TempDir only;
        test::writeFile(only / "config.json", test::readFile(dir / "config.json"));
        ASSERT_TRUE(pipeline::isConfigOnlyFolder(only.path()));
        ASSERT_FALSE(pipeline::isConfigOnlyFolder(dir));
        jobs::NullSink sink;
        auto fromConfig = pipeline::readPlanModel(only.path(), sink);
        ASSERT_TRUE(fromConfig.ok()) << describe(fromConfig.error());
        EXPECT_TRUE(fromConfig->configOnly);
        auto fromWeights = pipeline::readPlanModel(dir, sink);
        ASSERT_TRUE(fromWeights.ok()) << describe(fromWeights.error());
        EXPECT_FALSE(fromWeights->configOnly);
        ASSERT_EQ(fromConfig->tensors.size(), fromWeights->tensors.size());
        for (std::size_t i = 0; i < fromConfig->tensors.size(); ++i) {
            const auto& a = fromConfig->tensors[i];
            const auto& b = fromWeights->tensors[i];
            EXPECT_EQ(a.name, b.name);
            EXPECT_EQ(a.ne, b.ne) << a.name;
            EXPECT_EQ(a.type, b.type) << a.name;
        }
    }
}

TEST(SpecTensors, UnsupportedArchitecturesAreRefused)
{
    auto spec = io::parseHfConfig(R"({"architectures":["GPTNeoXForCausalLM"],"model_type":"gpt_neox","hidden_size":64})", "c.json");
    ASSERT_TRUE(spec.ok());
    auto t = tensorsFromSpec(*spec, "c.json");
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().code, ErrorCode::UnsupportedArchitecture);
    EXPECT_EQ(t.error().file, "c.json");
}

// ---- Quality order ------------------------------------------------------------------------------

TEST(FitPlanner, MixesAreOrderedByPublishedKld)
{
    const auto order = mixesByQuality();
    ASSERT_FALSE(order.empty());
    EXPECT_EQ(order.front(), "F32");
    EXPECT_EQ(order.back(), "Q2_K");
    EXPECT_LT(mixQualityRank("Q8_0"), mixQualityRank("Q6_K"));
    EXPECT_LT(mixQualityRank("Q5_K_M"), mixQualityRank("Q5_1"));
    EXPECT_LT(mixQualityRank("Q4_K_M"), mixQualityRank("Q4_K_S"));
    EXPECT_LT(mixQualityRank("Q4_K_S"), mixQualityRank("Q4_0"));
    EXPECT_EQ(mixQualityRank("Q2_K_S"), -1); // needs an importance matrix
    EXPECT_EQ(mixQualityRank("nope"), -1);
    for (const auto& m : order) EXPECT_NE(findMix(m), nullptr) << m;
}

// ---- Every built-in profile on 8B- and 70B-shaped models ---------------------------------------

// A fit is within the profile's usable memory; a refusal names how much more it needs.
void checkFitOrRefusal(const HardwareProfile& p, const FitResult& r)
{
    SCOPED_TRACE(p.id);
    ASSERT_FALSE(r.reasons.empty());
    if (r.fits) {
        EXPECT_EQ(r.reasons.end()[p.kind == DeviceKind::Gpu ? -2 : -1].code, MessageCode::FitChoseMix);
        if (p.kind == DeviceKind::Gpu) {
            EXPECT_LE(r.chosen.device.total(), p.vram.usableBytes);
            EXPECT_LE(r.chosen.host.total(), p.ram.usableBytes);
            EXPECT_EQ(r.reasons.back().code, r.chosen.fullOffload ? MessageCode::FitFullOffload : MessageCode::FitPartialOffload);
            EXPECT_LE(r.chosen.gpuLayers, r.layers);
        } else {
            EXPECT_LE(r.chosen.device.total(), p.primary().usableBytes);
        }
        EXPECT_EQ(r.chosen.weightBytes, r.plan.totalBytes());
        EXPECT_GT(r.tgTokensPerSecond, 0.0);
        EXPECT_GT(r.ppTokensPerSecond, 0.0);
        EXPECT_GT(r.fileBytes, r.plan.totalBytes());
        // Every better candidate was passed over with a reason.
        for (std::size_t i = 0; i + 1 < r.reasons.size(); ++i) {
            const auto c = r.reasons[i].code;
            EXPECT_TRUE(c == MessageCode::FitMixTooLarge || c == MessageCode::FitMixPartialOffloadOnly || c == MessageCode::FitOutsidePreferred ||
                        c == MessageCode::FitChoseMix)
                << messageCodeKey(c);
        }
    } else {
        const Message& m = r.reasons.back();
        EXPECT_EQ(m.code, MessageCode::FitNothingFits);
        const std::uint64_t needed = std::stoull(std::string(m.field("needed")));
        const std::uint64_t available = std::stoull(std::string(m.field("available")));
        EXPECT_GT(needed, available);
        const std::string pool(m.field("pool"));
        const MemoryPool& mp = pool == "vram" ? p.vram : pool == "unified" ? p.unified : p.ram;
        EXPECT_EQ(available, mp.usableBytes);
        EXPECT_FALSE(m.field("mix").empty());
    }
}

TEST(FitPlanner, EveryBuiltinProfileFitsOrSaysByHowMuch)
{
    const Model l8 = model(kLlama3_8B), l70 = model(kLlama31_70B);
    const auto all = builtins();
    ASSERT_GE(all.size(), 10u);
    for (const auto& p : all) {
        checkFitOrRefusal(p, fit(p, l8, 8192));
        checkFitOrRefusal(p, fit(p, l70, 8192));
    }
    // Outcomes worked out by hand from the profiles' figures.
    const FitResult gpu8 = fit(byId(all, "rtx-3060-12gb"), l8, 8192);
    ASSERT_TRUE(gpu8.fits);
    EXPECT_EQ(gpu8.plan.mix, "Q8_0"); // 8.5 GB + 1 GiB KV + buffers in 11.2 GiB
    EXPECT_TRUE(gpu8.chosen.fullOffload);
    EXPECT_EQ(gpu8.chosen.gpuLayers, 33u);

    const FitResult pi70 = fit(byId(all, "raspberry-pi-5-8gb"), l70, 8192);
    EXPECT_FALSE(pi70.fits); // even Q2_K's 26 GB is far beyond 6.5 GiB
    const FitResult laptop8 = fit(byId(all, "laptop-cpu-8gb"), l8, 8192);
    ASSERT_TRUE(laptop8.fits);
    EXPECT_EQ(laptop8.plan.mix, "Q2_K"); // 3.0 GiB + 1 GiB KV + buffers in 5 GiB usable
    const FitResult laptop8Short = fit(byId(all, "laptop-cpu-8gb"), l8, 4096);
    ASSERT_TRUE(laptop8Short.fits);
    EXPECT_LT(mixQualityRank(laptop8Short.plan.mix), mixQualityRank("Q2_K")); // less KV, a better mix

    // 70B on a 24 GB card: no mix fits whole, so the best one that fits with part of it on the GPU.
    const FitResult g70 = fit(byId(all, "rtx-4090-24gb"), l70, 8192);
    ASSERT_TRUE(g70.fits);
    EXPECT_FALSE(g70.chosen.fullOffload);
    EXPECT_GT(g70.chosen.gpuLayers, 0u);
    EXPECT_LT(g70.chosen.gpuLayers, 81u);
    EXPECT_EQ(g70.reasons.back().code, MessageCode::FitPartialOffload);
}

TEST(FitPlanner, RefusalNamesNeededAndAvailableBytes)
{
    const auto all = builtins();
    const HardwareProfile& pi = byId(all, "raspberry-pi-5-8gb");
    const FitResult r = fit(pi, model(kLlama31_70B), 8192);
    ASSERT_FALSE(r.fits);
    const Message& m = r.reasons.back();
    ASSERT_EQ(m.code, MessageCode::FitNothingFits);
    EXPECT_EQ(m.field("mix"), "Q2_K");
    EXPECT_EQ(m.field("pool"), "ram");
    EXPECT_EQ(m.field("available"), std::to_string(pi.ram.usableBytes));
    // Q2_K's weights alone are 26.4 GB.
    EXPECT_GT(std::stoull(std::string(m.field("needed"))), 26'000'000'000ull);
    // Every candidate was tried and each says why not.
    EXPECT_EQ(r.reasons.size(), r.candidates.size() + 1);
}

TEST(FitPlanner, PartialOffloadIsTheLargestLayerCountThatFits)
{
    const auto all = builtins();
    HardwareProfile p = byId(all, "rtx-3060-12gb");
    const Model l8 = model(kLlama3_8B);
    FitOptions o;
    o.context = 8192;
    o.mixes = {"F16"};
    auto r = planFit(p, l8.spec, l8.tensors, o, "config.json");
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r->fits);
    const std::uint32_t ngl = r->chosen.gpuLayers;
    ASSERT_GT(ngl, 0u);
    ASSERT_LT(ngl, 33u);
    // With exactly that much usable VRAM it still fits; with one byte less, one layer fewer.
    p.vram.usableBytes = r->chosen.device.total();
    auto same = planFit(p, l8.spec, l8.tensors, o, "config.json");
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->chosen.gpuLayers, ngl);
    p.vram.usableBytes -= 1;
    auto fewer = planFit(p, l8.spec, l8.tensors, o, "config.json");
    ASSERT_TRUE(fewer.ok());
    EXPECT_EQ(fewer->chosen.gpuLayers, ngl - 1);
    // A block of the 8B model at F16 (its two norms F32) plus its 32 MiB of KV cache at 8192.
    const std::uint64_t layer = r->chosen.device.weights + r->chosen.device.kvCache - fewer->chosen.device.weights - fewer->chosen.device.kvCache;
    EXPECT_EQ(layer, (218112000ull - 8192) * 2 + 8192 * 4 + 8ull * 128 * 8192 * 2 * 2);
}

TEST(FitPlanner, ContextBeyondTheModelWarnsAndUnknownMixIsAnError)
{
    const auto all = builtins();
    const FitResult r = fit(byId(all, "edge-server-cpu-64gb"), model(kLlama3_8B), 16384);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_EQ(r.warnings[0].code, MessageCode::FitContextBeyondModel);
    EXPECT_EQ(r.warnings[0].field("max"), "8192");
    const Model m = model(kLlama3_8B);
    FitOptions o;
    o.mixes = {"Q9_Z"};
    EXPECT_FALSE(planFit(byId(all, "edge-server-cpu-64gb"), m.spec, m.tensors, o, "config.json").ok());
}

TEST(FitPlanner, JsonCarriesTheDecision)
{
    const auto all = builtins();
    const FitResult r = fit(byId(all, "rtx-3060-12gb"), model(kLlama3_8B), 8192);
    const Json j = Json::parse(fitResultJson(r));
    EXPECT_EQ(j["profile"], "rtx-3060-12gb");
    EXPECT_EQ(j["fits"], true);
    EXPECT_EQ(j["mix"], "Q8_0");
    EXPECT_EQ(j["chosen"]["device"]["kv_cache"], 1073741824ull);
    EXPECT_EQ(j["reasons"].back()["code"], "fit_full_offload");
    EXPECT_EQ(j["plan"]["tensors"].size(), 291u);
}

// ---- Profiles -----------------------------------------------------------------------------------

TEST(HardwareProfiles, BuiltinsLoadWithSources)
{
    const auto all = builtins();
    std::set<std::string> ids;
    for (const auto& p : all) {
        SCOPED_TRACE(p.id);
        ids.insert(p.id);
        EXPECT_TRUE(p.builtin);
        EXPECT_EQ(p.file.stem().string(), p.id);
        EXPECT_FALSE(p.sources.empty());
        for (const auto& s : p.sources) EXPECT_EQ(s.url.rfind("https://", 0), 0u) << s.url;
        EXPECT_FALSE(p.preferredFormats.empty());
        EXPECT_GT(p.primary().bandwidthGBs, 0.0);
        EXPECT_LE(p.primary().usableBytes, p.primary().totalBytes);
    }
    for (const char* id : {"laptop-cpu-8gb", "laptop-cpu-16gb", "desktop-cpu-32gb", "apple-m-16gb", "apple-m-36gb", "rtx-3060-12gb",
                           "rtx-4090-24gb", "a10g-24gb", "edge-server-cpu-64gb", "raspberry-pi-5-8gb"})
        EXPECT_TRUE(ids.count(id)) << id;
    const HardwareProfile& g = byId(all, "rtx-4090-24gb");
    EXPECT_EQ(g.kind, DeviceKind::Gpu);
    EXPECT_EQ(g.vram.totalBytes, 24ull << 30);
    EXPECT_DOUBLE_EQ(g.vram.bandwidthGBs, 1008.0);
}

TEST(HardwareProfiles, JsonRoundTrips)
{
    for (const auto& p : builtins()) {
        auto back = parseHardwareProfile(hardwareProfileJson(p), "x");
        ASSERT_TRUE(back.ok()) << describe(back.error());
        EXPECT_EQ(back->id, p.id);
        EXPECT_EQ(back->ram.usableBytes, p.ram.usableBytes);
        EXPECT_EQ(back->vram.usableBytes, p.vram.usableBytes);
        EXPECT_EQ(back->unified.usableBytes, p.unified.usableBytes);
        EXPECT_EQ(back->preferredFormats, p.preferredFormats);
        EXPECT_EQ(back->sources.size(), p.sources.size());
    }
}

const char* kValid = R"({"schema_version": 1, "id": "my-box", "name": "My box", "kind": "cpu", "runtime": "llama.cpp-cpu",
  "memory": {"ram": {"total_gib": 16, "usable_gib": 12, "bandwidth_gb_s": 50}},
  "compute_tflops": {"cpu": 0.5}, "efficiency": {"tg": 0.6, "pp": 0.3}, "preferred_formats": ["Q4_K_M"]})";

// The error for `text` written to a file: names the file and contains `field`.
void expectFieldError(const std::string& text, const std::string& field)
{
    SCOPED_TRACE(text);
    test::TempDir dir;
    const fs::path f = dir / "bad.json";
    test::writeFile(f, text);
    auto r = readHardwareProfile(f);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().file, f.string());
    EXPECT_NE(r.error().detail.find(field), std::string::npos) << r.error().detail;
    // The loader reports the same file.
    auto all = loadProfiles(dir.path());
    ASSERT_FALSE(all.ok());
    EXPECT_EQ(all.error().file, f.string());
}

std::string edit(const std::string& from, const std::string& to)
{
    std::string s = kValid;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}

TEST(HardwareProfiles, InvalidFilesNameFileAndField)
{
    ASSERT_TRUE(parseHardwareProfile(kValid, "ok").ok());
    expectFieldError(edit(R"("usable_gib": 12, )", ""), "'memory.ram.usable_gib': missing");
    expectFieldError(edit(R"("kind": "cpu")", R"("kind": 5)"), "'kind': must be a string");
    expectFieldError(edit(R"("usable_gib": 12)", R"("usable_gib": -4)"), "'memory.ram.usable_gib': must be a positive number");
    expectFieldError(edit(R"("total_gib": 16)", R"("total_gib": "16")"), "'memory.ram.total_gib': must be a number");
    expectFieldError(edit(R"("usable_gib": 12)", R"("usable_gib": 20)"), "'memory.ram.usable_gib': must not exceed total_gib");
    expectFieldError(edit(R"(["Q4_K_M"])", R"(["Q4_K_M", "Q7_X"])"), "'preferred_formats[1]'");
    expectFieldError(edit(R"("tg": 0.6)", R"("tg": 1.5)"), "'efficiency.tg'");
    expectFieldError(edit(R"("kind": "cpu")", R"("kind": "gpu")"), "'runtime'");
    expectFieldError(edit(R"("id": "my-box")", R"("id": "My Box")"), "'id'");
    expectFieldError(edit(R"("compute_tflops": {"cpu": 0.5}, )", ""), "'compute_tflops': missing");
    expectFieldError(std::string(kValid).substr(0, 40), "invalid JSON"); // malformed
}

TEST(HardwareProfiles, UserProfilesOverrideBuiltinsById)
{
    test::TempDir user;
    test::writeFile(user / "mine.json", kValid);
    test::writeFile(user / "laptop.json", edit(R"("id": "my-box")", R"("id": "laptop-cpu-8gb")"));
    auto all = loadProfiles(builtinDir(), user.path());
    ASSERT_TRUE(all.ok()) << describe(all.error());
    const auto builtinCount = builtins().size();
    EXPECT_EQ(all->size(), builtinCount + 1);
    const HardwareProfile& replaced = byId(*all, "laptop-cpu-8gb");
    EXPECT_FALSE(replaced.builtin);
    EXPECT_EQ(replaced.name, "My box");
    EXPECT_EQ(replaced.file, user / "laptop.json");
    EXPECT_EQ(all->back().id, "my-box");
    // A missing user folder is fine; a missing built-in folder is not.
    EXPECT_TRUE(loadProfiles(builtinDir(), user / "absent").ok());
    auto none = loadProfiles(user / "absent");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().code, ErrorCode::NotFound);
    // Two files of one folder with one id.
    test::writeFile(user / "again.json", kValid);
    auto dup = loadProfiles(builtinDir(), user.path());
    ASSERT_FALSE(dup.ok());
    EXPECT_NE(dup.error().detail.find("'id'"), std::string::npos);
}

TEST(HardwareProfiles, FolderCandidates)
{
    const auto c = builtinProfileDirCandidates("/opt/condense/bin", "/src/resources/profiles");
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0], fs::path("/opt/condense/share/condense/profiles"));
    EXPECT_EQ(c[1], fs::path("/src/resources/profiles"));
    EXPECT_EQ(userProfileDir("/x/cfg", "/home/u"), fs::path("/x/cfg/condense/profiles"));
    EXPECT_EQ(userProfileDir("", "/home/u"), fs::path("/home/u/.config/condense/profiles"));
    EXPECT_TRUE(userProfileDir("", "").empty());
}

} // namespace
