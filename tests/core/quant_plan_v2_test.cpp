// QuantPlan version 2 (core/plan/quant_plan.h), message codes (core/common/message.h) and their
// English rendering (app/message_text.h), and checkPlan (core/pipeline/quantize_job.h).
//
// kOldV1Plan is what `condense-cli quantize tiny-llama-spm-F16.gguf --type Q4_K_M --dry-run --json`
// printed before version 2 existed (one tensor per line here; content unchanged): such a file must
// still be read and replay to llama-quantize's Q4_K_M file byte for byte.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "app/message_text.h"
#include "core/common/message.h"
#include "core/io/checkpoint.h"
#include "core/pipeline/quantize_job.h"
#include "core/plan/hf_format_plan.h"
#include "core/plan/quant_plan.h"
#include "core/quant/imatrix.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_models.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;

// clang-format off
constexpr const char* kOldV1Plan = R"PLAN({ "file_type": 15, "format": "gguf", "imatrix": null, "mix": "Q4_K_M", "version": 1,
  "tensors": [
    {"bytes": 860160, "input_type": "F16", "name": "output.weight", "ne": [256, 4096], "reason": "mix rule: output -> Q6_K", "type": "Q6_K"},
    {"bytes": 1024, "input_type": "F32", "name": "output_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 589824, "input_type": "F16", "name": "token_embd.weight", "ne": [256, 4096], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.0.attn_k.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.0.attn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.0.attn_output.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.0.attn_q.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.0.attn_v.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.0.ffn_down.weight", "ne": [768, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.0.ffn_gate.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.0.ffn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.0.ffn_up.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.1.attn_k.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.1.attn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.1.attn_output.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.1.attn_q.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.1.attn_v.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.1.ffn_down.weight", "ne": [768, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.1.ffn_gate.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.1.ffn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.1.ffn_up.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.2.attn_k.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.2.attn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.2.attn_output.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.2.attn_q.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 26880, "input_type": "F16", "name": "blk.2.attn_v.weight", "ne": [256, 128], "reason": "mix rule: attn_v bump, use_more_bits (layer counter 2 of 6)", "type": "Q6_K"},
    {"bytes": 161280, "input_type": "F16", "name": "blk.2.ffn_down.weight", "ne": [768, 256], "reason": "mix rule: ffn_down bump, use_more_bits (layer 2 of 6)", "type": "Q6_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.2.ffn_gate.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.2.ffn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.2.ffn_up.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.3.attn_k.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.3.attn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.3.attn_output.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.3.attn_q.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.3.attn_v.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.3.ffn_down.weight", "ne": [768, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.3.ffn_gate.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.3.ffn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.3.ffn_up.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.4.attn_k.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.4.attn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.4.attn_output.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.4.attn_q.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.4.attn_v.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.4.ffn_down.weight", "ne": [768, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.4.ffn_gate.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.4.ffn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.4.ffn_up.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 18432, "input_type": "F16", "name": "blk.5.attn_k.weight", "ne": [256, 128], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.5.attn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.5.attn_output.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 36864, "input_type": "F16", "name": "blk.5.attn_q.weight", "ne": [256, 256], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 26880, "input_type": "F16", "name": "blk.5.attn_v.weight", "ne": [256, 128], "reason": "mix rule: attn_v bump, use_more_bits (layer counter 5 of 6)", "type": "Q6_K"},
    {"bytes": 161280, "input_type": "F16", "name": "blk.5.ffn_down.weight", "ne": [768, 256], "reason": "mix rule: ffn_down bump, use_more_bits (layer 5 of 6)", "type": "Q6_K"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.5.ffn_gate.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"},
    {"bytes": 1024, "input_type": "F32", "name": "blk.5.ffn_norm.weight", "ne": [256], "reason": "1-D tensor kept as F32", "type": "F32"},
    {"bytes": 110592, "input_type": "F16", "name": "blk.5.ffn_up.weight", "ne": [256, 768], "reason": "mix default", "type": "Q4_K"}
  ],
  "totals": {"bits_per_weight": 4.969328377820325, "bytes": 4235776, "elements": 6819072, "fallbacks": 0, "input_bytes": 13644800} }
)PLAN";
// clang-format on

std::shared_ptr<const io::Checkpoint> open(const fs::path& p)
{
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(p, sink);
    EXPECT_TRUE(ck.ok()) << (ck.ok() ? "" : describe(ck.error()));
    return ck.ok() ? *ck : nullptr;
}

// A message of `code` with every field its English text uses.
Message sample(MessageCode code)
{
    Message m(code, "blk.0.attn_q.weight",
              {{"text", "free text"}, {"type", "F32"}, {"dims", "1"}, {"pattern", "attn_v"}, {"tensor", "attn_v"}, {"mix", "Q4_K_M"},
               {"to", "Q6_K"}, {"row", "96"}, {"block", "256"}, {"from", "Q4_K"}, {"id", "7"}, {"token_type", "bos"},
               {"limit", "100"}, {"max", "99"}, {"rope_type", "weird"}, {"values", "3"}, {"want", "4"}, {"count", "2"}});
    if (code == MessageCode::Fallback || code == MessageCode::Replayed) nestMessage(m, Message(MessageCode::MixDefault));
    return m;
}

TEST(MessageCodes, EveryCodeHasAKeyAndAnEnglishText)
{
    ASSERT_GT(allMessageCodes().size(), 20u);
    for (MessageCode code : allMessageCodes()) {
        const std::string_view key = messageCodeKey(code);
        SCOPED_TRACE(std::string(key));
        EXPECT_NE(key, "unknown");
        EXPECT_EQ(messageCodeFromKey(key), code);
        const std::string text = cli::messageText(sample(code));
        EXPECT_FALSE(text.empty());
        EXPECT_NE(text, key);
    }
    EXPECT_FALSE(messageCodeFromKey("no_such_code").has_value());
}

TEST(MessageCodes, EnglishTextsAreTheConverterAndQuantizerLogLines)
{
    Message rule(MessageCode::MixRule, {}, {{"tensor", "attn_v"}, {"variant", "bump"}, {"condition", "use_more_bits"}, {"counter", "2"}, {"of", "6"}, {"to", "Q6_K"}});
    EXPECT_EQ(cli::messageText(rule), "mix rule: attn_v bump, use_more_bits (layer counter 2 of 6)");
    Message fb(MessageCode::Fallback, {}, {{"row", "80"}, {"block", "256"}, {"from", "IQ4_XS"}, {"block2", "32"}, {"via", "IQ4_NL"}, {"to", "F16"}});
    nestMessage(fb, rule);
    EXPECT_EQ(cli::messageText(fb),
              "fallback: row 80 not a multiple of 256 (IQ4_XS), nor of 32 (IQ4_NL) -> F16; was mix rule: attn_v bump, use_more_bits (layer counter 2 of 6)");
    Message replayed(MessageCode::Replayed);
    EXPECT_EQ(cli::messageText(replayed), "plan");
    nestMessage(replayed, fb);
    EXPECT_EQ(cli::messageText(replayed), "plan: " + cli::messageText(fb));
    ASSERT_TRUE(nestedMessage(replayed).has_value());
    EXPECT_EQ(*nestedMessage(replayed), fb);
    EXPECT_EQ(*nestedMessage(*nestedMessage(replayed)), rule);
    EXPECT_EQ(cli::messageText(Message(MessageCode::ImatrixMissingEntry, "output.weight")),
              "the importance matrix has no entry for output.weight: quantized without one");
    EXPECT_EQ(cli::messageText(legacyText("anything at all")), "anything at all");
}

TEST(QuantPlanV2, RoundTripsWithComputedBytesAndCodedReasons)
{
    auto ck = open(referenceGguf("F16"));
    ASSERT_TRUE(ck);
    auto im = quant::ImportanceMatrix::load(tinyLlamaDir() / "reference-gguf" / "tiny-llama-spm-imatrix.gguf");
    ASSERT_TRUE(im.ok()) << describe(im.error());
    pipeline::QuantizeConfig cfg;
    cfg.imatrix = std::make_shared<const quant::ImportanceMatrix>(std::move(*im));
    cfg.imatrixLabel = "imatrix.gguf";
    cfg.overrides = {{"ffn_up", DType::Q8_0}};
    auto p = pipeline::planQuantization(*ck, cfg);
    ASSERT_TRUE(p.ok()) << describe(p.error());
    EXPECT_EQ(p->plan.method, plan::PlanMethod::Imatrix);
    const std::string json = plan::toJson(p->plan);

    const auto j = nlohmann::json::parse(json);
    EXPECT_EQ(j["version"], 2);
    EXPECT_EQ(j["format"], "gguf");
    EXPECT_EQ(j["method"], "imatrix");
    for (const auto& t : j["tensors"]) {
        EXPECT_FALSE(t.contains("bytes")) << t.dump();
        ASSERT_TRUE(t["reason"].is_object()) << t.dump();
        EXPECT_TRUE(messageCodeFromKey(t["reason"]["code"].get<std::string>()).has_value()) << t.dump();
    }
    EXPECT_EQ(j["tensors"][0]["reason"]["code"], "mix_rule");

    auto back = plan::planFromJson(json, "p.json");
    ASSERT_TRUE(back.ok()) << describe(back.error());
    EXPECT_EQ(back->method, plan::PlanMethod::Imatrix);
    EXPECT_EQ(back->imatrix, "imatrix.gguf");
    ASSERT_EQ(back->tensors.size(), p->plan.tensors.size());
    bool sawOverride = false;
    for (std::size_t i = 0; i < back->tensors.size(); ++i) {
        EXPECT_EQ(back->tensors[i].reason, p->plan.tensors[i].reason) << back->tensors[i].name;
        EXPECT_EQ(cli::messageText(back->tensors[i].reason), cli::messageText(p->plan.tensors[i].reason));
        EXPECT_EQ(back->tensors[i].bytes(), p->plan.tensors[i].bytes());
        sawOverride |= back->tensors[i].reason.code == MessageCode::OverrideTensorType;
    }
    EXPECT_TRUE(sawOverride);
    EXPECT_EQ(back->totalBytes(), p->plan.totalBytes());
    EXPECT_EQ(plan::toJson(*back), json);
}

TEST(QuantPlanV2, BitsAndGroupEncodingsAndReservedFormats)
{
    plan::QuantPlan g;
    g.format = plan::PlanFormat::Gptq;
    g.method = plan::PlanMethod::Gptq;
    g.mix = "Q4_K_M";
    g.fileType = 15;
    plan::TensorPlan t;
    t.name = "blk.0.attn_q.weight";
    t.ne = {256, 128};
    t.inputType = DType::F16;
    t.group = plan::GroupEncoding{4, 128, true};
    g.tensors.push_back(t);
    // K = 256, N = 128, 2 groups: qweight 32x128 int32, scales 2x128 fp16, qzeros 2x16 int32, g_idx 256 int32.
    EXPECT_EQ(g.tensors[0].bytes(), 32u * 128 * 4 + 2 * 128 * 2 + 2 * 16 * 4 + 256 * 4);
    EXPECT_EQ(plan::packedBytes({8, 0, false}, {100, 3}), 25u * 4 * 3 + 1 * 3 * 2 + 1 * 1 * 4 + 100 * 4);
    const std::string json = plan::toJson(g);
    EXPECT_NE(json.find("\"format\": \"gptq\""), std::string::npos);
    EXPECT_NE(json.find("\"group_size\": 128"), std::string::npos);
    auto back = plan::planFromJson(json, "g.json");
    ASSERT_TRUE(back.ok()) << describe(back.error());
    EXPECT_EQ(back->format, plan::PlanFormat::Gptq);
    EXPECT_EQ(back->method, plan::PlanMethod::Gptq);
    ASSERT_TRUE(back->tensors[0].group.has_value());
    EXPECT_EQ(*back->tensors[0].group, (plan::GroupEncoding{4, 128, true}));
    EXPECT_EQ(plan::toJson(*back), json);
    for (const char* f : {"awq", "compressed-tensors"}) {
        auto r = plan::planFromJson(R"({"version":2,"format":")" + std::string(f) + R"(","method":"awq","mix":"Q4_K_M","file_type":15,"tensors":[]})", "f.json");
        EXPECT_TRUE(r.ok()) << f;
    }
    EXPECT_FALSE(plan::planFromJson(R"({"version":2,"format":"exl2","method":"rtn","mix":"Q4_K_M","file_type":15,"tensors":[]})", "f.json").ok());
    EXPECT_FALSE(plan::planFromJson(R"({"version":2,"format":"gguf","method":"magic","mix":"Q4_K_M","file_type":15,"tensors":[]})", "f.json").ok());
    EXPECT_FALSE(plan::planFromJson(R"({"version":2,"format":"gguf","method":"rtn","mix":"Q4_K_M","file_type":15,"tensors":[{"name":"a","ne":[256,4],"input_type":"F16","bits":9,"group_size":128,"symmetric":true}]})", "f.json").ok());
    EXPECT_FALSE(plan::planFromJson(R"({"version":2,"format":"gguf","method":"rtn","mix":"Q4_K_M","file_type":15,"tensors":[{"name":"a","ne":[256,4],"input_type":"F16","type":"Q4_K","reason":{"code":"nonsense"}}]})", "f.json").ok());
    EXPECT_FALSE(plan::planFromJson(R"({"version":3,"format":"gguf","method":"rtn","mix":"Q4_K_M","file_type":15,"tensors":[]})", "f.json").ok());

    // The quantizer refuses what it cannot write yet, clearly.
    auto ck = open(referenceGguf("F16"));
    ASSERT_TRUE(ck);
    auto full = pipeline::planQuantization(*ck, {});
    ASSERT_TRUE(full.ok());
    plan::QuantPlan gptq = full->plan;
    gptq.format = plan::PlanFormat::Gptq;
    pipeline::QuantizeConfig cfg;
    cfg.plan = gptq;
    auto r = pipeline::planQuantization(*ck, cfg);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::UnsupportedFormat);
    EXPECT_NE(r.error().detail.find("gptq"), std::string::npos) << describe(r.error());
    plan::QuantPlan grouped = full->plan;
    grouped.tensors[5].group = plan::GroupEncoding{};
    cfg.plan = grouped;
    r = pipeline::planQuantization(*ck, cfg);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::UnsupportedFormat);
    EXPECT_EQ(pipeline::checkPlan(*ck, grouped).error().code, ErrorCode::UnsupportedFormat);
}

TEST(QuantPlanV2, AnOldVersion1PlanIsReadAndReplaysByteIdentically)
{
    auto v1 = plan::planFromJson(kOldV1Plan, "old.json");
    ASSERT_TRUE(v1.ok()) << describe(v1.error());
    EXPECT_EQ(v1->format, plan::PlanFormat::Gguf);
    EXPECT_EQ(v1->method, plan::PlanMethod::Rtn);
    ASSERT_EQ(v1->tensors.size(), 57u);
    EXPECT_EQ(v1->tensors[0].reason.code, MessageCode::LegacyText);
    EXPECT_EQ(cli::messageText(v1->tensors[0].reason), "mix rule: output -> Q6_K");
    const auto old = nlohmann::json::parse(kOldV1Plan);
    for (std::size_t i = 0; i < v1->tensors.size(); ++i) EXPECT_EQ(v1->tensors[i].bytes(), old["tensors"][i]["bytes"].get<std::uint64_t>());

    // Read as version 1, written as version 2, read again: the same plan.
    auto v2 = plan::planFromJson(plan::toJson(*v1), "new.json");
    ASSERT_TRUE(v2.ok()) << describe(v2.error());
    for (std::size_t i = 0; i < v1->tensors.size(); ++i) {
        EXPECT_EQ(v2->tensors[i].type, v1->tensors[i].type);
        EXPECT_EQ(v2->tensors[i].reason, v1->tensors[i].reason);
    }

    TempDir dir;
    auto ck = open(referenceGguf("F16"));
    ASSERT_TRUE(ck);
    pipeline::QuantizeConfig cfg;
    cfg.plan = *v1;
    jobs::NullSink sink;
    auto r = pipeline::runQuantize(*ck, dir / "replayed.gguf", cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    EXPECT_TRUE(readFile(dir / "replayed.gguf") == readFile(referenceGguf("Q4_K_M")));
    EXPECT_EQ(cli::messageText(r->plan.tensors[0].reason), "plan: mix rule: output -> Q6_K");
    // A reason that already says "plan: " is kept as it is.
    cfg.plan = r->plan;
    auto again = pipeline::planQuantization(*ck, cfg);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(cli::messageText(again->plan.tensors[0].reason), "plan: mix rule: output -> Q6_K");
}

// A Hugging Face folder without its tokenizer: the plan can be checked (no tokenizer work), but
// quantizing it fails on the missing tokenizer.
TEST(CheckPlan, ValidatesAnEditedPlanWithoutTheTokenizer)
{
    TempDir dir;
    const fs::path copy = dir / "tiny-no-tokenizer";
    fs::create_directories(copy);
    for (const char* f : {"config.json", "generation_config.json", "model.safetensors"}) fs::copy_file(tinyLlamaDir() / f, copy / f);

    auto full = open(tinyLlamaDir());
    ASSERT_TRUE(full);
    auto planned = pipeline::planQuantization(*full, {});
    ASSERT_TRUE(planned.ok()) << describe(planned.error());
    const plan::QuantPlan p = planned->plan;

    auto ck = open(copy);
    ASSERT_TRUE(ck);
    auto ok = pipeline::checkPlan(*ck, p);
    ASSERT_TRUE(ok.ok()) << describe(ok.error());
    EXPECT_TRUE(ok->empty());
    pipeline::QuantizeConfig cfg;
    cfg.plan = p;
    jobs::NullSink sink;
    auto q = pipeline::runQuantize(*ck, dir / "o.gguf", cfg, sink);
    ASSERT_FALSE(q.ok());
    EXPECT_EQ(q.error().code, ErrorCode::MissingTokenizer) << describe(q.error());
    EXPECT_FALSE(fs::exists(dir / "o.gguf"));

    const io::Checkpoint* model = ck.get();
    const auto fails = [&](const plan::QuantPlan& edited, ErrorCode code, const std::string& part) {
        auto r = pipeline::checkPlan(*model, edited);
        ASSERT_FALSE(r.ok()) << part;
        EXPECT_EQ(r.error().code, code) << describe(r.error());
        EXPECT_NE((r.error().detail + " " + r.error().tensor).find(part), std::string::npos) << describe(r.error());
    };
    const auto at = [](plan::QuantPlan& e, const char* name) -> plan::TensorPlan& { return e.tensors[static_cast<std::size_t>(e.find(name))]; };
    plan::QuantPlan e = p;
    at(e, "blk.0.attn_q.weight").name = "blk.0.attn_x.weight";
    fails(e, ErrorCode::InvalidArgument, "blk.0.attn_x.weight");
    e = p;
    at(e, "blk.0.attn_q.weight").ne = {256, 512};
    fails(e, ErrorCode::InvalidArgument, "blk.0.attn_q.weight");
    e = p;
    e.tensors.pop_back();
    fails(e, ErrorCode::InvalidArgument, "has no entry");
    e = p;
    at(e, "blk.0.attn_q.weight").type = DType::IQ2_XXS;
    fails(e, ErrorCode::UnsupportedType, "IQ2_XXS");
    e = p;
    at(e, "blk.0.ffn_down.weight").type = DType::Q2_K;
    e.fileType = 21; // Q2_K_S: its Q2_K tensors need an importance matrix
    fails(e, ErrorCode::InvalidArgument, "importance matrix");
    e.method = plan::PlanMethod::Imatrix; // one will be given
    EXPECT_TRUE(pipeline::checkPlan(*ck, e).ok());

    // Row lengths against the block size (odd96: rows of 96).
    auto odd = open(testModel("odd96"));
    ASSERT_TRUE(odd);
    auto oddPlan = pipeline::planQuantization(*odd, {});
    ASSERT_TRUE(oddPlan.ok());
    EXPECT_TRUE(pipeline::checkPlan(*odd, oddPlan->plan).ok());
    model = odd.get();
    e = oddPlan->plan;
    at(e, "blk.0.attn_q.weight").type = DType::Q4_K;
    fails(e, ErrorCode::InvalidArgument, "row length 96");

    // Warnings come back as codes: requantizing an already quantized input.
    auto q8 = open(referenceGguf("Q8_0"));
    ASSERT_TRUE(q8);
    auto q8Plan = pipeline::planQuantization(*q8, {});
    ASSERT_TRUE(q8Plan.ok());
    auto w = pipeline::checkPlan(*q8, q8Plan->plan);
    ASSERT_TRUE(w.ok()) << describe(w.error());
    ASSERT_EQ(w->size(), 1u);
    EXPECT_EQ((*w)[0].code, MessageCode::Requantizing);
}

} // namespace
} // namespace condense::test

namespace condense::test {
namespace {

// The plan of an HF quantized export (core/plan/hf_format_plan.h): the decoder linears get the
// encoding, everything else its input type; act-order survives the JSON, older plans read false.
TEST(QuantPlanV2, HfFormatPlanQuantizesTheDecoderLinearsAndCarriesActOrder)
{
    const std::vector<plan::PlanTensorInput> in{{"token_embd.weight", {256, 4096}, DType::F16},
                                                {"blk.0.attn_norm.weight", {256}, DType::F32},
                                                {"blk.0.attn_q.weight", {256, 256}, DType::F16},
                                                {"blk.0.ffn_down.weight", {768, 256}, DType::F16},
                                                {"output.weight", {256, 4096}, DType::F16}};
    plan::HfFormatOptions o;
    o.format = plan::PlanFormat::Gptq;
    o.method = plan::PlanMethod::Gptq;
    o.encoding = {3, 32, false};
    o.actOrder = true;
    const plan::QuantPlan p = plan::planHfFormat(in, o);
    EXPECT_EQ(p.mix, "GPTQ-3bit-g32");
    ASSERT_EQ(p.tensors.size(), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const bool linear = i == 2 || i == 3;
        EXPECT_EQ(p.tensors[i].group.has_value(), linear) << in[i].name;
        EXPECT_EQ(p.tensors[i].reason.code, linear ? MessageCode::HfQuantizedLinear : MessageCode::HfKeptFloat) << in[i].name;
        if (!linear) {
            EXPECT_EQ(p.tensors[i].bytes(), plan::tensorBytes(in[i].type, in[i].ne)) << in[i].name;
        }
    }
    EXPECT_EQ(*p.tensors[3].group, (plan::GroupEncoding{3, 32, false}));
    EXPECT_LT(p.totalBytes(), p.totalInputBytes());
    EXPECT_EQ(cli::messageText(p.tensors[3].reason), "decoder linear: 3-bit, groups of 32");
    EXPECT_EQ(cli::messageText(p.tensors[0].reason), "not a decoder linear, kept as F16");

    const std::string json = plan::toJson(p);
    EXPECT_NE(json.find("\"act_order\": true"), std::string::npos);
    auto back = plan::planFromJson(json, "hf.json");
    ASSERT_TRUE(back) << describe(back.error());
    EXPECT_TRUE(back->actOrder);
    EXPECT_EQ(back->format, plan::PlanFormat::Gptq);
    EXPECT_EQ(plan::toJson(*back), json);
    // A plan without the key (every plan before it existed) reads false; a wrong type is refused.
    auto old = plan::planFromJson(R"({"version":2,"format":"awq","method":"awq","mix":"x","file_type":0,"tensors":[]})", "o.json");
    ASSERT_TRUE(old);
    EXPECT_FALSE(old->actOrder);
    EXPECT_FALSE(plan::planFromJson(R"({"version":2,"format":"awq","method":"awq","mix":"x","file_type":0,"act_order":1,"tensors":[]})", "o.json"));
    // GGUF plans do not carry the key.
    plan::QuantPlan g;
    g.actOrder = true;
    EXPECT_EQ(plan::toJson(g).find("act_order"), std::string::npos);

    EXPECT_EQ(plan::hfFormatLabel(plan::PlanFormat::Awq, {4, 128, false}), "AWQ-4bit-g128");
    EXPECT_EQ(plan::hfFormatLabel(plan::PlanFormat::CompressedTensors, {8, 0, true}), "CT-8bit-row");
    EXPECT_FALSE(plan::isHfQuantizedLinear("blk.0.attn_norm.weight"));
    EXPECT_FALSE(plan::isHfQuantizedLinear("output.weight"));
    EXPECT_TRUE(plan::isHfQuantizedLinear("blk.12.attn_output.weight"));
}

} // namespace
} // namespace condense::test
