// core/arch/tensor_role.h: layer and role of tensor names as llama.cpp names them
// (gguf-py/gguf/constants.py TENSOR_NAMES: "blk.{bid}.attn_q", "token_embd", ...) and as
// Hugging Face's modeling_llama / modeling_qwen2 name their parameters.
#include <gtest/gtest.h>

#include "core/arch/tensor_role.h"

namespace condense::arch {
namespace {

struct Case {
    const char* name;
    TensorRole role;
    int layer;
    TensorPart part;
};

TEST(TensorRole, LlamaCppNames)
{
    const Case cases[] = {
        {"token_embd.weight", TensorRole::TokenEmbd, -1, TensorPart::Weight},
        {"output_norm.weight", TensorRole::OutputNorm, -1, TensorPart::Weight},
        {"output.weight", TensorRole::Output, -1, TensorPart::Weight},
        {"rope_freqs.weight", TensorRole::RopeFreqs, -1, TensorPart::Weight},
        {"blk.0.attn_norm.weight", TensorRole::AttnNorm, 0, TensorPart::Weight},
        {"blk.3.attn_q.weight", TensorRole::AttnQ, 3, TensorPart::Weight},
        {"blk.3.attn_q.bias", TensorRole::AttnQ, 3, TensorPart::Bias},
        {"blk.12.attn_k.weight", TensorRole::AttnK, 12, TensorPart::Weight},
        {"blk.5.attn_v.weight", TensorRole::AttnV, 5, TensorPart::Weight},
        {"blk.5.attn_qkv.weight", TensorRole::AttnQkv, 5, TensorPart::Weight},
        {"blk.1.attn_kv_b.weight", TensorRole::AttnKvB, 1, TensorPart::Weight},
        {"blk.5.attn_output.weight", TensorRole::AttnOutput, 5, TensorPart::Weight},
        {"blk.2.attn_q_norm.weight", TensorRole::AttnQNorm, 2, TensorPart::Weight},
        {"blk.2.attn_k_norm.weight", TensorRole::AttnKNorm, 2, TensorPart::Weight},
        {"blk.4.ffn_norm.weight", TensorRole::FfnNorm, 4, TensorPart::Weight},
        {"blk.4.ffn_gate.weight", TensorRole::FfnGate, 4, TensorPart::Weight},
        {"blk.4.ffn_up.weight", TensorRole::FfnUp, 4, TensorPart::Weight},
        {"blk.4.ffn_down.weight", TensorRole::FfnDown, 4, TensorPart::Weight},
        {"blk.7.ffn_gate_inp.weight", TensorRole::FfnGateInp, 7, TensorPart::Weight},
        {"blk.7.ffn_down_exps.weight", TensorRole::FfnDown, 7, TensorPart::Weight},
        {"blk.7.ffn_up_shexp.weight", TensorRole::FfnUp, 7, TensorPart::Weight},
        {"enc.blk.2.attn_v.weight", TensorRole::AttnV, 2, TensorPart::Weight},
        {"blk.x.attn_q.weight", TensorRole::Other, -1, TensorPart::Other},
        {"blk.99999999999999999999.attn_q.weight", TensorRole::Other, -1, TensorPart::Other},
    };
    for (const Case& c : cases) {
        const TensorId id = classifyTensor(c.name);
        EXPECT_EQ(id.role, c.role) << c.name << " -> " << tensorRoleKey(id.role);
        EXPECT_EQ(id.layer, c.layer) << c.name;
        EXPECT_EQ(id.part, c.part) << c.name;
    }
    EXPECT_TRUE(classifyTensor("blk.7.ffn_down_exps.weight").experts);
    EXPECT_FALSE(classifyTensor("blk.7.ffn_down.weight").experts);
}

TEST(TensorRole, HuggingFaceNames)
{
    const Case cases[] = {
        {"model.embed_tokens.weight", TensorRole::TokenEmbd, -1, TensorPart::Weight},
        {"model.norm.weight", TensorRole::OutputNorm, -1, TensorPart::Weight},
        {"lm_head.weight", TensorRole::Output, -1, TensorPart::Weight},
        {"model.layers.0.input_layernorm.weight", TensorRole::AttnNorm, 0, TensorPart::Weight},
        {"model.layers.3.self_attn.q_proj.weight", TensorRole::AttnQ, 3, TensorPart::Weight},
        {"model.layers.3.self_attn.k_proj.bias", TensorRole::AttnK, 3, TensorPart::Bias},
        {"model.layers.3.self_attn.v_proj.weight", TensorRole::AttnV, 3, TensorPart::Weight},
        {"model.layers.3.self_attn.o_proj.weight", TensorRole::AttnOutput, 3, TensorPart::Weight},
        {"model.layers.1.self_attn.q_norm.weight", TensorRole::AttnQNorm, 1, TensorPart::Weight},
        {"model.layers.9.post_attention_layernorm.weight", TensorRole::FfnNorm, 9, TensorPart::Weight},
        {"model.layers.9.mlp.gate_proj.weight", TensorRole::FfnGate, 9, TensorPart::Weight},
        {"model.layers.9.mlp.up_proj.weight", TensorRole::FfnUp, 9, TensorPart::Weight},
        {"model.layers.10.mlp.down_proj.weight", TensorRole::FfnDown, 10, TensorPart::Weight},
        {"model.layers.2.mlp.experts.0.w1.weight", TensorRole::Other, 2, TensorPart::Other},
    };
    for (const Case& c : cases) {
        const TensorId id = classifyTensor(c.name);
        EXPECT_EQ(id.role, c.role) << c.name << " -> " << tensorRoleKey(id.role);
        EXPECT_EQ(id.layer, c.layer) << c.name;
        EXPECT_EQ(id.part, c.part) << c.name;
    }
}

TEST(TensorRole, LinearWeights)
{
    EXPECT_TRUE(classifyTensor("blk.0.attn_q.weight").isLinear());
    EXPECT_TRUE(classifyTensor("blk.0.ffn_down.weight").isLinear());
    EXPECT_TRUE(classifyTensor("output.weight").isLinear());
    EXPECT_FALSE(classifyTensor("blk.0.attn_q.bias").isLinear());
    EXPECT_FALSE(classifyTensor("blk.0.attn_norm.weight").isLinear());
    EXPECT_FALSE(classifyTensor("token_embd.weight").isLinear());
}

} // namespace
} // namespace condense::arch
