#pragma once
// The llama-quantize runs made by hand that the tests compare with (commands in
// quant_plan_test.cpp): which model and options each named case used.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/io/checkpoint.h"
#include "core/quant/imatrix.h"
#include "core/pipeline/quantize_job.h"
#include "tests/support/test_models.h"
#include "tests/support/test_paths.h"

namespace condense::test {

inline std::shared_ptr<const quant::ImportanceMatrix> tinyImatrix()
{
    static std::shared_ptr<const quant::ImportanceMatrix> im = [] {
        auto r = quant::ImportanceMatrix::load(tinyLlamaDir() / "reference-gguf" / "tiny-llama-spm-imatrix.gguf");
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : describe(r.error()));
        return r.ok() ? std::make_shared<const quant::ImportanceMatrix>(std::move(*r)) : nullptr;
    }();
    return im;
}

inline std::shared_ptr<const io::Checkpoint> openModel(const std::filesystem::path& p)
{
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(p, sink);
    EXPECT_TRUE(ck.ok()) << p << ": " << (ck.ok() ? "" : describe(ck.error()));
    return ck.ok() ? *ck : nullptr;
}

// The model and options each row of the table was made with.
inline bool configure(const std::string& file, std::filesystem::path& model, pipeline::QuantizeConfig& cfg, bool qwenFromHf = true)
{
    const auto rest = [&](const std::string& prefix) { return file.substr(prefix.size()); };
    if (file.rfind("tiny-", 0) == 0) {
        model = referenceGguf("F16");
        std::string mix = rest("tiny-");
        if (mix == "ovr1") {
            cfg.mix = "Q4_K_M";
            cfg.overrides = {{R"(blk\.0\.attn_v)", DType::Q8_0}};
        } else if (mix == "ovr2") {
            cfg.mix = "Q4_K_M";
            cfg.overrides = {{"ffn_down", DType::Q5_0}, {R"(blk\.1\.ffn_down)", DType::Q8_0}, {"FFN_UP", DType::Q8_0}};
        } else if (mix == "ovr3") {
            cfg.mix = "Q3_K_M";
            cfg.outputTensorType = DType::Q8_0;
            cfg.tokenEmbeddingType = DType::Q4_0;
            cfg.leaveOutputTensor = true;
        } else if (mix == "ovr4") {
            cfg.mix = "F16";
            cfg.overrides = {{"attn_q", DType::Q2_K}};
        } else if (mix == "pure") {
            cfg.mix = "Q4_K_M";
            cfg.pure = true;
        } else if (mix == "leave") {
            cfg.mix = "Q4_K_M";
            cfg.leaveOutputTensor = true;
        } else {
            if (mix.size() > 5 && mix.substr(mix.size() - 5) == "-imat") {
                mix = mix.substr(0, mix.size() - 5);
                cfg.imatrix = tinyImatrix();
                cfg.imatrixLabel = "tiny-llama-spm-imatrix.gguf"; // as given to llama-quantize
            }
            cfg.mix = mix;
        }
        return true;
    }
    if (file.rfind("odd96-", 0) == 0) {
        model = testModel("odd96");
        cfg.mix = rest("odd96-");
        return true;
    }
    if (file.rfind("odd80-tef16-", 0) == 0) {
        model = testModel("odd80");
        cfg.mix = rest("odd80-tef16-");
        cfg.tokenEmbeddingType = DType::F16;
        return true;
    }
    if (file.rfind("qwen-", 0) == 0) {
        // The HF folder has the same names and shapes as its F16 GGUF (planning only).
        model = qwenFromHf ? qwen2Dir() : testModel("qwen2-F16");
        cfg.mix = rest("qwen-");
        return true;
    }
    return false;
}

} // namespace condense::test
