// Type mixes (core/plan/mixes.h) against llama-quantize: the per-tensor types our plans choose
// must be the ones llama-quantize chose. Ground truth: the reference files in ../shared (made
// by llama-quantize 34af94cd) and the table below, read off llama-quantize outputs made by hand
// with /work/oracle/llama.cpp/build/bin/llama-quantize (llama.cpp 34af94cd, x86-64 build):
//
//   tiny-<MIX>       llama-quantize tiny-llama-spm-F16.gguf OUT <MIX> 2          (from reference-gguf/)
//   tiny-<MIX>-imat  llama-quantize --imatrix tiny-llama-spm-imatrix.gguf tiny-llama-spm-F16.gguf OUT <MIX> 2
//   tiny-ovr1        llama-quantize --tensor-type 'blk\.0\.attn_v=q8_0' F16 OUT Q4_K_M 2
//   tiny-ovr2        llama-quantize --tensor-type 'ffn_down=q5_0' --tensor-type 'blk\.1\.ffn_down=q8_0'
//                                   --tensor-type 'FFN_UP=q8_0' F16 OUT Q4_K_M 2
//   tiny-ovr3        llama-quantize --output-tensor-type q8_0 --token-embedding-type q4_0 --leave-output-tensor F16 OUT Q3_K_M 2
//   tiny-ovr4        llama-quantize --tensor-type 'attn_q=q2_k' F16 OUT F16 2
//   tiny-pure        llama-quantize --pure F16 OUT Q4_K_M 2
//   tiny-leave       llama-quantize --leave-output-tensor F16 OUT Q4_K_M 2
//   odd96-<MIX>      llama-quantize odd96.gguf OUT <MIX> 2          (tests/support/test_models.h)
//   odd80-tef16-<MIX> llama-quantize --token-embedding-type f16 odd80.gguf OUT <MIX> 2
//   qwen-<MIX>       llama-quantize qwen2-F16.gguf OUT <MIX> 2      (our F16 conversion of small-qwen2-bpe)
//
// Each row: file, the type most 2-D tensors got, and every 2-D tensor that got another type.
// 1-D tensors were F32 in all of them. Also from those runs: without an imatrix llama-quantize
// refuses Q2_K_S ("this quantization requires an imatrix"), and it refuses every block mix of
// odd80 ("no tensor type fallback is defined for type q8_0", for token_embd.weight).
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "app/message_text.h"
#include "core/io/checkpoint.h"
#include "core/plan/mixes.h"
#include "core/plan/quant_plan.h"
#include "core/pipeline/quantize_job.h"
#include "tests/core/llama_quantize_cases.h"
#include "tests/support/test_models.h"
#include "tests/support/test_paths.h"

namespace condense::test {
namespace {

namespace fs = std::filesystem;

struct Row {
    const char* file;
    const char* mostly;
    const char* others;
};

// clang-format off
constexpr Row kLlamaQuantizeTypes[] = {
    {"tiny-BF16-imat", "BF16", ""},
    {"tiny-BF16", "BF16", ""},
    {"tiny-F16-imat", "F16", ""},
    {"tiny-F16", "F16", ""},
    {"tiny-F32-imat", "F32", ""},
    {"tiny-F32", "F32", ""},
    {"tiny-IQ4_NL-imat", "IQ4_NL", "output.weight=Q6_K"},
    {"tiny-IQ4_NL", "IQ4_NL", "output.weight=Q6_K"},
    {"tiny-IQ4_XS-imat", "IQ4_XS", "output.weight=Q6_K"},
    {"tiny-IQ4_XS", "IQ4_XS", "output.weight=Q6_K"},
    {"tiny-Q2_K-imat", "Q2_K", "output.weight=Q6_K blk.0.attn_output.weight=Q3_K blk.0.attn_v.weight=Q3_K blk.0.ffn_down.weight=Q3_K blk.1.attn_output.weight=Q3_K blk.1.attn_v.weight=Q3_K blk.1.ffn_down.weight=Q3_K blk.2.attn_output.weight=Q3_K blk.2.attn_v.weight=Q3_K blk.2.ffn_down.weight=Q3_K blk.3.attn_output.weight=Q3_K blk.3.attn_v.weight=Q3_K blk.3.ffn_down.weight=Q3_K blk.4.attn_output.weight=Q3_K blk.4.attn_v.weight=Q3_K blk.4.ffn_down.weight=Q3_K blk.5.attn_output.weight=Q3_K blk.5.attn_v.weight=Q3_K blk.5.ffn_down.weight=Q3_K"},
    {"tiny-Q2_K", "Q2_K", "output.weight=Q6_K blk.0.attn_output.weight=Q3_K blk.0.attn_v.weight=Q3_K blk.0.ffn_down.weight=Q3_K blk.1.attn_output.weight=Q3_K blk.1.attn_v.weight=Q3_K blk.1.ffn_down.weight=Q3_K blk.2.attn_output.weight=Q3_K blk.2.attn_v.weight=Q3_K blk.2.ffn_down.weight=Q3_K blk.3.attn_output.weight=Q3_K blk.3.attn_v.weight=Q3_K blk.3.ffn_down.weight=Q3_K blk.4.attn_output.weight=Q3_K blk.4.attn_v.weight=Q3_K blk.4.ffn_down.weight=Q3_K blk.5.attn_output.weight=Q3_K blk.5.attn_v.weight=Q3_K blk.5.ffn_down.weight=Q3_K"},
    {"tiny-Q2_K_S-imat", "Q2_K", "output.weight=Q6_K"},
    {"tiny-Q3_K_L-imat", "Q3_K", "output.weight=Q6_K blk.0.attn_output.weight=Q5_K blk.0.attn_v.weight=Q5_K blk.0.ffn_down.weight=Q5_K blk.1.attn_output.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.1.ffn_down.weight=Q5_K blk.2.attn_output.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.2.ffn_down.weight=Q5_K blk.3.attn_output.weight=Q5_K blk.3.attn_v.weight=Q5_K blk.3.ffn_down.weight=Q5_K blk.4.attn_output.weight=Q5_K blk.4.attn_v.weight=Q5_K blk.4.ffn_down.weight=Q5_K blk.5.attn_output.weight=Q5_K blk.5.attn_v.weight=Q5_K blk.5.ffn_down.weight=Q5_K"},
    {"tiny-Q3_K_L", "Q3_K", "output.weight=Q6_K blk.0.attn_output.weight=Q5_K blk.0.attn_v.weight=Q5_K blk.0.ffn_down.weight=Q5_K blk.1.attn_output.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.1.ffn_down.weight=Q5_K blk.2.attn_output.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.2.ffn_down.weight=Q5_K blk.3.attn_output.weight=Q5_K blk.3.attn_v.weight=Q5_K blk.3.ffn_down.weight=Q5_K blk.4.attn_output.weight=Q5_K blk.4.attn_v.weight=Q5_K blk.4.ffn_down.weight=Q5_K blk.5.attn_output.weight=Q5_K blk.5.attn_v.weight=Q5_K blk.5.ffn_down.weight=Q5_K"},
    {"tiny-Q3_K_M-imat", "Q3_K", "output.weight=Q6_K blk.0.attn_output.weight=Q4_K blk.0.attn_v.weight=Q5_K blk.0.ffn_down.weight=Q4_K blk.1.attn_output.weight=Q4_K blk.1.attn_v.weight=Q5_K blk.1.ffn_down.weight=Q4_K blk.2.attn_output.weight=Q4_K blk.2.attn_v.weight=Q4_K blk.2.ffn_down.weight=Q4_K blk.3.attn_output.weight=Q4_K blk.3.attn_v.weight=Q4_K blk.3.ffn_down.weight=Q4_K blk.4.attn_output.weight=Q4_K blk.4.attn_v.weight=Q4_K blk.4.ffn_down.weight=Q4_K blk.5.attn_output.weight=Q4_K blk.5.attn_v.weight=Q4_K blk.5.ffn_down.weight=Q4_K"},
    {"tiny-Q3_K_M", "Q3_K", "output.weight=Q6_K blk.0.attn_output.weight=Q4_K blk.0.attn_v.weight=Q5_K blk.0.ffn_down.weight=Q4_K blk.1.attn_output.weight=Q4_K blk.1.attn_v.weight=Q5_K blk.1.ffn_down.weight=Q4_K blk.2.attn_output.weight=Q4_K blk.2.attn_v.weight=Q4_K blk.2.ffn_down.weight=Q4_K blk.3.attn_output.weight=Q4_K blk.3.attn_v.weight=Q4_K blk.3.ffn_down.weight=Q4_K blk.4.attn_output.weight=Q4_K blk.4.attn_v.weight=Q4_K blk.4.ffn_down.weight=Q4_K blk.5.attn_output.weight=Q4_K blk.5.attn_v.weight=Q4_K blk.5.ffn_down.weight=Q4_K"},
    {"tiny-Q3_K_S-imat", "Q3_K", "output.weight=Q6_K"},
    {"tiny-Q3_K_S", "Q3_K", "output.weight=Q6_K"},
    {"tiny-Q4_0-imat", "Q4_0", "output.weight=Q6_K"},
    {"tiny-Q4_0", "Q4_0", "output.weight=Q6_K"},
    {"tiny-Q4_1-imat", "Q4_1", "output.weight=Q6_K"},
    {"tiny-Q4_1", "Q4_1", "output.weight=Q6_K"},
    {"tiny-Q4_K_M-imat", "Q4_K", "output.weight=Q6_K blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"tiny-Q4_K_M", "Q4_K", "output.weight=Q6_K blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"tiny-Q4_K_S-imat", "Q4_K", "output.weight=Q6_K blk.0.attn_v.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.3.attn_v.weight=Q5_K"},
    {"tiny-Q4_K_S", "Q4_K", "output.weight=Q6_K blk.0.attn_v.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.3.attn_v.weight=Q5_K"},
    {"tiny-Q5_0-imat", "Q5_0", "output.weight=Q6_K"},
    {"tiny-Q5_0", "Q5_0", "output.weight=Q6_K"},
    {"tiny-Q5_1-imat", "Q5_1", "output.weight=Q6_K"},
    {"tiny-Q5_1", "Q5_1", "output.weight=Q6_K"},
    {"tiny-Q5_K_M-imat", "Q5_K", "output.weight=Q6_K blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"tiny-Q5_K_M", "Q5_K", "output.weight=Q6_K blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"tiny-Q5_K_S-imat", "Q5_K", "output.weight=Q6_K"},
    {"tiny-Q5_K_S", "Q5_K", "output.weight=Q6_K"},
    {"tiny-Q6_K-imat", "Q6_K", ""},
    {"tiny-Q6_K", "Q6_K", ""},
    {"tiny-Q8_0-imat", "Q8_0", ""},
    {"tiny-Q8_0", "Q8_0", ""},
    {"tiny-leave", "Q4_K", "output.weight=F16 blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"tiny-ovr1", "Q4_K", "output.weight=Q6_K blk.0.attn_v.weight=Q8_0 blk.2.ffn_down.weight=Q6_K blk.3.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"tiny-ovr2", "Q4_K", "output.weight=Q6_K blk.0.ffn_down.weight=Q5_0 blk.0.ffn_up.weight=Q8_0 blk.1.ffn_down.weight=Q5_0 blk.1.ffn_up.weight=Q8_0 blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q5_0 blk.2.ffn_up.weight=Q8_0 blk.3.ffn_down.weight=Q5_0 blk.3.ffn_up.weight=Q8_0 blk.4.ffn_down.weight=Q5_0 blk.4.ffn_up.weight=Q8_0 blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q5_0 blk.5.ffn_up.weight=Q8_0"},
    {"tiny-ovr3", "Q3_K", "output.weight=F16 token_embd.weight=Q4_0 blk.0.attn_output.weight=Q4_K blk.0.attn_v.weight=Q5_K blk.0.ffn_down.weight=Q4_K blk.1.attn_output.weight=Q4_K blk.1.attn_v.weight=Q5_K blk.1.ffn_down.weight=Q4_K blk.2.attn_output.weight=Q4_K blk.2.attn_v.weight=Q4_K blk.2.ffn_down.weight=Q4_K blk.3.attn_output.weight=Q4_K blk.3.attn_v.weight=Q4_K blk.3.ffn_down.weight=Q4_K blk.4.attn_output.weight=Q4_K blk.4.attn_v.weight=Q4_K blk.4.ffn_down.weight=Q4_K blk.5.attn_output.weight=Q4_K blk.5.attn_v.weight=Q4_K blk.5.ffn_down.weight=Q4_K"},
    {"tiny-ovr4", "F16", ""},
    {"tiny-pure", "Q4_K", ""},
    {"odd96-IQ4_NL", "IQ4_NL", "output.weight=Q8_0 blk.0.ffn_down.weight=Q5_K"},
    {"odd96-IQ4_XS", "IQ4_NL", "output.weight=Q8_0 blk.0.ffn_down.weight=Q5_K blk.1.ffn_down.weight=IQ4_XS blk.2.ffn_down.weight=IQ4_XS blk.3.ffn_down.weight=IQ4_XS blk.4.ffn_down.weight=IQ4_XS blk.5.ffn_down.weight=IQ4_XS blk.6.ffn_down.weight=IQ4_XS blk.7.ffn_down.weight=IQ4_XS"},
    {"odd96-Q2_K", "Q4_0", "output.weight=Q8_0 blk.0.ffn_down.weight=Q3_K blk.1.ffn_down.weight=Q3_K blk.2.ffn_down.weight=Q3_K blk.3.ffn_down.weight=Q3_K blk.4.ffn_down.weight=Q3_K blk.5.ffn_down.weight=Q3_K blk.6.ffn_down.weight=Q3_K blk.7.ffn_down.weight=Q3_K"},
    {"odd96-Q3_K_L", "Q4_0", "output.weight=Q8_0 blk.0.attn_output.weight=Q5_1 blk.0.attn_v.weight=Q5_1 blk.0.ffn_down.weight=Q5_K blk.1.attn_output.weight=Q5_1 blk.1.attn_v.weight=Q5_1 blk.1.ffn_down.weight=Q5_K blk.2.attn_output.weight=Q5_1 blk.2.attn_v.weight=Q5_1 blk.2.ffn_down.weight=Q5_K blk.3.attn_output.weight=Q5_1 blk.3.attn_v.weight=Q5_1 blk.3.ffn_down.weight=Q5_K blk.4.attn_output.weight=Q5_1 blk.4.attn_v.weight=Q5_1 blk.4.ffn_down.weight=Q5_K blk.5.attn_output.weight=Q5_1 blk.5.attn_v.weight=Q5_1 blk.5.ffn_down.weight=Q5_K blk.6.attn_output.weight=Q5_1 blk.6.attn_v.weight=Q5_1 blk.6.ffn_down.weight=Q5_K blk.7.attn_output.weight=Q5_1 blk.7.attn_v.weight=Q5_1 blk.7.ffn_down.weight=Q5_K"},
    {"odd96-Q3_K_M", "Q4_0", "output.weight=Q8_0 blk.0.attn_output.weight=Q5_0 blk.0.attn_v.weight=Q5_1 blk.0.ffn_down.weight=Q4_K blk.1.attn_output.weight=Q5_0 blk.1.attn_v.weight=Q5_1 blk.1.ffn_down.weight=Q4_K blk.2.attn_output.weight=Q5_0 blk.2.attn_v.weight=Q5_0 blk.2.ffn_down.weight=Q4_K blk.3.attn_output.weight=Q5_0 blk.3.attn_v.weight=Q5_0 blk.3.ffn_down.weight=Q4_K blk.4.attn_output.weight=Q5_0 blk.4.attn_v.weight=Q5_0 blk.4.ffn_down.weight=Q4_K blk.5.attn_output.weight=Q5_0 blk.5.attn_v.weight=Q5_0 blk.5.ffn_down.weight=Q4_K blk.6.attn_output.weight=Q5_0 blk.6.attn_v.weight=Q5_0 blk.6.ffn_down.weight=Q4_K blk.7.attn_output.weight=Q5_0 blk.7.attn_v.weight=Q5_0 blk.7.ffn_down.weight=Q4_K"},
    {"odd96-Q3_K_S", "Q4_0", "output.weight=Q8_0 blk.0.ffn_down.weight=Q3_K blk.1.ffn_down.weight=Q3_K blk.2.ffn_down.weight=Q3_K blk.3.ffn_down.weight=Q3_K blk.4.ffn_down.weight=Q3_K blk.5.ffn_down.weight=Q3_K blk.6.ffn_down.weight=Q3_K blk.7.ffn_down.weight=Q3_K"},
    {"odd96-Q4_0", "Q4_0", "output.weight=Q8_0"},
    {"odd96-Q4_1", "Q4_1", "output.weight=Q8_0"},
    {"odd96-Q4_K_M", "Q5_0", "output.weight=Q8_0 blk.0.attn_v.weight=Q8_0 blk.0.ffn_down.weight=Q6_K blk.1.ffn_down.weight=Q4_K blk.2.ffn_down.weight=Q4_K blk.3.attn_v.weight=Q8_0 blk.3.ffn_down.weight=Q6_K blk.4.ffn_down.weight=Q4_K blk.5.ffn_down.weight=Q4_K blk.6.attn_v.weight=Q8_0 blk.6.ffn_down.weight=Q6_K blk.7.attn_v.weight=Q8_0 blk.7.ffn_down.weight=Q6_K"},
    {"odd96-Q4_K_S", "Q5_0", "output.weight=Q8_0 blk.0.attn_v.weight=Q5_1 blk.0.ffn_down.weight=Q5_K blk.1.attn_v.weight=Q5_1 blk.1.ffn_down.weight=Q4_K blk.2.attn_v.weight=Q5_1 blk.2.ffn_down.weight=Q4_K blk.3.attn_v.weight=Q5_1 blk.3.ffn_down.weight=Q4_K blk.4.ffn_down.weight=Q4_K blk.5.ffn_down.weight=Q4_K blk.6.ffn_down.weight=Q4_K blk.7.ffn_down.weight=Q4_K"},
    {"odd96-Q5_0", "Q5_0", "output.weight=Q8_0"},
    {"odd96-Q5_1", "Q5_1", "output.weight=Q8_0"},
    {"odd96-Q5_K_M", "Q5_1", "output.weight=Q8_0 blk.0.attn_v.weight=Q8_0 blk.0.ffn_down.weight=Q6_K blk.1.ffn_down.weight=Q5_K blk.2.ffn_down.weight=Q5_K blk.3.attn_v.weight=Q8_0 blk.3.ffn_down.weight=Q6_K blk.4.ffn_down.weight=Q5_K blk.5.ffn_down.weight=Q5_K blk.6.attn_v.weight=Q8_0 blk.6.ffn_down.weight=Q6_K blk.7.attn_v.weight=Q8_0 blk.7.ffn_down.weight=Q6_K"},
    {"odd96-Q5_K_S", "Q5_1", "output.weight=Q8_0 blk.0.ffn_down.weight=Q5_K blk.1.ffn_down.weight=Q5_K blk.2.ffn_down.weight=Q5_K blk.3.ffn_down.weight=Q5_K blk.4.ffn_down.weight=Q5_K blk.5.ffn_down.weight=Q5_K blk.6.ffn_down.weight=Q5_K blk.7.ffn_down.weight=Q5_K"},
    {"odd96-Q6_K", "Q8_0", "blk.0.ffn_down.weight=Q6_K blk.1.ffn_down.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.3.ffn_down.weight=Q6_K blk.4.ffn_down.weight=Q6_K blk.5.ffn_down.weight=Q6_K blk.6.ffn_down.weight=Q6_K blk.7.ffn_down.weight=Q6_K"},
    {"odd96-Q8_0", "Q8_0", ""},
    {"odd80-tef16-IQ4_XS", "F16", "blk.0.ffn_down.weight=IQ4_NL blk.1.ffn_down.weight=IQ4_NL"},
    {"odd80-tef16-Q2_K", "F16", "blk.0.ffn_down.weight=Q4_0 blk.1.ffn_down.weight=Q4_0"},
    {"odd80-tef16-Q3_K_M", "F16", "blk.0.ffn_down.weight=Q5_0 blk.1.ffn_down.weight=Q5_0"},
    {"odd80-tef16-Q4_K_M", "F16", "blk.0.ffn_down.weight=Q5_0 blk.1.ffn_down.weight=Q8_0"},
    {"odd80-tef16-Q5_K_S", "F16", "blk.0.ffn_down.weight=Q5_1 blk.1.ffn_down.weight=Q5_1"},
    {"odd80-tef16-Q6_K", "F16", "blk.0.ffn_down.weight=Q8_0 blk.1.ffn_down.weight=Q8_0"},
    {"qwen-IQ4_NL", "IQ4_NL", "token_embd.weight=Q6_K blk.0.attn_v.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.3.attn_v.weight=Q5_K blk.4.attn_v.weight=Q5_K blk.5.attn_v.weight=Q5_K"},
    {"qwen-IQ4_XS", "IQ4_XS", "token_embd.weight=Q6_K blk.0.attn_v.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.3.attn_v.weight=Q5_K blk.4.attn_v.weight=Q5_K blk.5.attn_v.weight=Q5_K"},
    {"qwen-Q2_K", "Q2_K", "token_embd.weight=Q6_K blk.0.attn_output.weight=Q3_K blk.0.attn_v.weight=Q4_K blk.0.ffn_down.weight=Q3_K blk.1.attn_output.weight=Q3_K blk.1.attn_v.weight=Q4_K blk.1.ffn_down.weight=Q3_K blk.2.attn_output.weight=Q3_K blk.2.attn_v.weight=Q4_K blk.2.ffn_down.weight=Q3_K blk.3.attn_output.weight=Q3_K blk.3.attn_v.weight=Q4_K blk.3.ffn_down.weight=Q3_K blk.4.attn_output.weight=Q3_K blk.4.attn_v.weight=Q4_K blk.4.ffn_down.weight=Q3_K blk.5.attn_output.weight=Q3_K blk.5.attn_v.weight=Q4_K blk.5.ffn_down.weight=Q3_K"},
    {"qwen-Q3_K_L", "Q3_K", "token_embd.weight=Q6_K blk.0.attn_output.weight=Q5_K blk.0.attn_v.weight=Q5_K blk.0.ffn_down.weight=Q5_K blk.1.attn_output.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.1.ffn_down.weight=Q5_K blk.2.attn_output.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.2.ffn_down.weight=Q5_K blk.3.attn_output.weight=Q5_K blk.3.attn_v.weight=Q5_K blk.3.ffn_down.weight=Q5_K blk.4.attn_output.weight=Q5_K blk.4.attn_v.weight=Q5_K blk.4.ffn_down.weight=Q5_K blk.5.attn_output.weight=Q5_K blk.5.attn_v.weight=Q5_K blk.5.ffn_down.weight=Q5_K"},
    {"qwen-Q3_K_M", "Q3_K", "token_embd.weight=Q6_K blk.0.attn_output.weight=Q4_K blk.0.attn_v.weight=Q5_K blk.0.ffn_down.weight=Q4_K blk.1.attn_output.weight=Q4_K blk.1.attn_v.weight=Q5_K blk.1.ffn_down.weight=Q4_K blk.2.attn_output.weight=Q4_K blk.2.attn_v.weight=Q4_K blk.2.ffn_down.weight=Q4_K blk.3.attn_output.weight=Q4_K blk.3.attn_v.weight=Q4_K blk.3.ffn_down.weight=Q4_K blk.4.attn_output.weight=Q4_K blk.4.attn_v.weight=Q4_K blk.4.ffn_down.weight=Q4_K blk.5.attn_output.weight=Q4_K blk.5.attn_v.weight=Q4_K blk.5.ffn_down.weight=Q4_K"},
    {"qwen-Q3_K_S", "Q3_K", "token_embd.weight=Q6_K"},
    {"qwen-Q4_0", "Q4_0", "token_embd.weight=Q6_K"},
    {"qwen-Q4_1", "Q4_1", "token_embd.weight=Q6_K"},
    {"qwen-Q4_K_M", "Q4_K", "token_embd.weight=Q6_K blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"qwen-Q4_K_S", "Q4_K", "token_embd.weight=Q6_K blk.0.attn_v.weight=Q5_K blk.1.attn_v.weight=Q5_K blk.2.attn_v.weight=Q5_K blk.3.attn_v.weight=Q5_K"},
    {"qwen-Q5_0", "Q5_0", "token_embd.weight=Q6_K"},
    {"qwen-Q5_1", "Q5_1", "token_embd.weight=Q6_K"},
    {"qwen-Q5_K_M", "Q5_K", "token_embd.weight=Q6_K blk.2.attn_v.weight=Q6_K blk.2.ffn_down.weight=Q6_K blk.5.attn_v.weight=Q6_K blk.5.ffn_down.weight=Q6_K"},
    {"qwen-Q5_K_S", "Q5_K", "token_embd.weight=Q6_K"},
    {"qwen-Q6_K", "Q6_K", ""},
    {"qwen-Q8_0", "Q8_0", ""},
};
// clang-format on

TEST(MixPlan, EveryMixChoosesLlamaQuantizesTypes)
{
    std::map<fs::path, std::shared_ptr<const io::Checkpoint>> models;
    for (const Row& row : kLlamaQuantizeTypes) {
        SCOPED_TRACE(row.file);
        fs::path modelPath;
        pipeline::QuantizeConfig cfg;
        ASSERT_TRUE(configure(row.file, modelPath, cfg));
        auto& ck = models[modelPath];
        if (!ck) ck = openModel(modelPath);
        ASSERT_TRUE(ck);
        auto planned = pipeline::planQuantization(*ck, cfg);
        ASSERT_TRUE(planned.ok()) << describe(planned.error());
        std::map<std::string, std::string> others;
        std::istringstream in(row.others);
        for (std::string kv; in >> kv;) others[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        std::size_t twoD = 0;
        for (const auto& t : planned->plan.tensors) {
            std::string want = "F32";
            if (t.ne.size() >= 2) {
                ++twoD;
                want = others.count(t.name) ? others[t.name] : row.mostly;
            }
            EXPECT_EQ(dtypeName(t.type), want) << t.name << " (" << cli::messageText(t.reason) << ")";
        }
        for (const auto& [name, type] : others) EXPECT_GE(planned->plan.find(name), 0) << name;
        EXPECT_GT(twoD, 0u);
    }
}

TEST(MixPlan, TypesAndOrderOfTheSharedReferenceFiles)
{
    auto ck = openModel(referenceGguf("F16"));
    ASSERT_TRUE(ck);
    for (const char* mix : {"Q8_0", "Q4_0", "Q4_K_M"}) {
        SCOPED_TRACE(mix);
        pipeline::QuantizeConfig cfg;
        cfg.mix = mix;
        auto planned = pipeline::planQuantization(*ck, cfg);
        ASSERT_TRUE(planned.ok()) << describe(planned.error());
        auto ref = io::GgufFile::open(referenceGguf(mix));
        ASSERT_TRUE(ref.ok());
        const auto& refTensors = (*ref)->tensors();
        ASSERT_EQ(planned->plan.tensors.size(), refTensors.size());
        std::uint64_t refBytes = 0;
        for (std::size_t i = 0; i < refTensors.size(); ++i) {
            const auto& t = planned->plan.tensors[i];
            EXPECT_EQ(t.name, refTensors[i].name) << i;
            EXPECT_EQ(t.type, refTensors[i].type) << t.name;
            EXPECT_EQ(t.bytes(), refTensors[i].bytes) << t.name;
            refBytes += refTensors[i].bytes;
        }
        EXPECT_EQ(planned->plan.totalBytes(), refBytes);
        EXPECT_EQ(planned->plan.fileType, (*ref)->getUInt("general.file_type").value_or(9999));
    }
}

TEST(MixPlan, RefusalsLlamaQuantizeMakesToo)
{
    // Q2_K_S without an imatrix.
    auto tiny = openModel(referenceGguf("F16"));
    ASSERT_TRUE(tiny);
    pipeline::QuantizeConfig cfg;
    cfg.mix = "Q2_K_S";
    auto r = pipeline::planQuantization(*tiny, cfg);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().detail.find("requires an importance matrix"), std::string::npos) << describe(r.error());
    cfg.imatrix = tinyImatrix();
    EXPECT_TRUE(pipeline::planQuantization(*tiny, cfg).ok());

    // odd80: token_embd.weight (tied, output rule) -> Q8_0 on rows of 80: no fallback exists.
    auto odd80 = openModel(testModel("odd80"));
    ASSERT_TRUE(odd80);
    for (const char* mix : {"Q4_K_M", "Q8_0", "Q4_0", "Q2_K"}) {
        pipeline::QuantizeConfig c;
        c.mix = mix;
        auto e = pipeline::planQuantization(*odd80, c);
        ASSERT_FALSE(e.ok()) << mix;
        EXPECT_EQ(e.error().tensor, "token_embd.weight") << mix;
        EXPECT_NE(e.error().detail.find("no fallback"), std::string::npos) << describe(e.error());
    }
}

TEST(MixPlan, ReasonsNameTheRuleAndTheFallback)
{
    auto ck = openModel(testModel("odd96"));
    ASSERT_TRUE(ck);
    pipeline::QuantizeConfig cfg;
    cfg.mix = "Q4_K_M";
    auto p = pipeline::planQuantization(*ck, cfg);
    ASSERT_TRUE(p.ok()) << describe(p.error());
    const auto reason = [&](const char* name) { return cli::messageText(p->plan.tensors[static_cast<std::size_t>(p->plan.find(name))].reason); };
    EXPECT_EQ(reason("blk.1.attn_q.weight").rfind("fallback: row 96 not a multiple of 256 (Q4_K) -> Q5_0", 0), 0u) << reason("blk.1.attn_q.weight");
    EXPECT_NE(reason("blk.0.ffn_down.weight").find("use_more_bits"), std::string::npos);
    EXPECT_NE(reason("blk.0.attn_norm.weight").find("kept as F32"), std::string::npos);
    // llama-quantize's log for this run: "49 of 75 tensor(s) required fallback quantization" (q, k, v, o, gate,
    // up of 8 layers, and token_embd; output.weight takes Q8_0 by the output rule, not by a fallback).
    EXPECT_EQ(p->plan.fallbacks(), 49u);
    // attn_v: Q6_K by use_more_bits, then Q8_0 by the fallback.
    EXPECT_NE(reason("blk.0.attn_v.weight").find("-> Q8_0; was mix rule: attn_v bump"), std::string::npos) << reason("blk.0.attn_v.weight");

    auto odd80 = openModel(testModel("odd80"));
    ASSERT_TRUE(odd80);
    cfg.tokenEmbeddingType = DType::F16;
    auto q = pipeline::planQuantization(*odd80, cfg);
    ASSERT_TRUE(q.ok()) << describe(q.error());
    const auto& t = q->plan.tensors[static_cast<std::size_t>(q->plan.find("blk.0.attn_q.weight"))];
    EXPECT_NE(cli::messageText(t.reason).find("-> F16"), std::string::npos) << cli::messageText(t.reason);
    EXPECT_EQ(cli::messageText(q->plan.tensors[static_cast<std::size_t>(q->plan.find("token_embd.weight"))].reason), "user override --token-embedding-type");
    EXPECT_EQ(q->plan.fallbacks(), 14u); // llama-quantize: "14 of 20 tensor(s) required fallback quantization"
}

TEST(MixPlan, MixNamesAndFileTypes)
{
    // llama-quantize's names and include/llama.h's enum llama_ftype values (formats.md 2.3).
    const std::pair<const char*, std::uint32_t> expected[] = {
        {"Q4_0", 2}, {"Q4_1", 3}, {"Q8_0", 7}, {"Q5_0", 8}, {"Q5_1", 9}, {"Q2_K", 10}, {"Q3_K_S", 11}, {"Q3_K_M", 12},
        {"Q3_K_L", 13}, {"Q4_K_S", 14}, {"Q4_K_M", 15}, {"Q5_K_S", 16}, {"Q5_K_M", 17}, {"Q6_K", 18}, {"Q2_K_S", 21},
        {"IQ4_NL", 25}, {"IQ4_XS", 30}, {"BF16", 32}, {"F16", 1}, {"F32", 0}, {"q4_k", 15}, {"Q4_K", 15}, {"Q3_K", 12}, {"Q5_K", 17},
    };
    for (const auto& [name, ft] : expected) {
        const plan::MixInfo* m = plan::findMix(name);
        ASSERT_NE(m, nullptr) << name;
        EXPECT_EQ(m->fileType, ft) << name;
    }
    EXPECT_EQ(plan::findMix("Q1_0"), nullptr);
    EXPECT_EQ(plan::findMix("IQ2_XXS"), nullptr);
}

TEST(MixPlan, BadRegexIsAClearError)
{
    auto ck = openModel(referenceGguf("F16"));
    ASSERT_TRUE(ck);
    pipeline::QuantizeConfig cfg;
    cfg.overrides = {{"attn_(q", DType::Q8_0}};
    auto r = pipeline::planQuantization(*ck, cfg);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(r.error().detail.find("attn_(q"), std::string::npos) << describe(r.error());
}

TEST(QuantPlanJson, RoundTripsAndRejectsBadPlans)
{
    auto ck = openModel(referenceGguf("F16"));
    ASSERT_TRUE(ck);
    pipeline::QuantizeConfig cfg;
    cfg.overrides = {{"ffn_up", DType::Q8_0}};
    auto p = pipeline::planQuantization(*ck, cfg);
    ASSERT_TRUE(p.ok());
    const std::string json = plan::toJson(p->plan);
    auto back = plan::planFromJson(json, "p.json");
    ASSERT_TRUE(back.ok()) << describe(back.error());
    ASSERT_EQ(back->tensors.size(), p->plan.tensors.size());
    for (std::size_t i = 0; i < back->tensors.size(); ++i) {
        EXPECT_EQ(back->tensors[i].name, p->plan.tensors[i].name);
        EXPECT_EQ(back->tensors[i].type, p->plan.tensors[i].type);
        EXPECT_EQ(back->tensors[i].ne, p->plan.tensors[i].ne);
        EXPECT_EQ(back->tensors[i].bytes(), p->plan.tensors[i].bytes());
        EXPECT_EQ(back->tensors[i].reason, p->plan.tensors[i].reason);
    }
    EXPECT_EQ(back->mix, "Q4_K_M");
    EXPECT_EQ(back->fileType, 15u);
    EXPECT_EQ(plan::toJson(*back), json);

    const auto bad = [](const std::string& text) {
        auto r = plan::planFromJson(text, "p.json");
        EXPECT_FALSE(r.ok()) << text;
        if (!r.ok()) {
            EXPECT_EQ(r.error().file, "p.json");
        }
    };
    bad("");
    bad("[]");
    bad(R"({"format":"gptq","mix":"Q4_K_M","file_type":15,"tensors":[]})");
    bad(R"({"format":"gguf","mix":"Q4_K_M","file_type":-1,"tensors":[]})");
    bad(R"({"format":"gguf","mix":"Q4_K_M","file_type":15,"tensors":[{"name":"a","ne":[256,4],"input_type":"F16","type":"Q9_K"}]})");
    bad(R"({"format":"gguf","mix":"Q4_K_M","file_type":15,"tensors":[{"name":"a","ne":[100,4],"input_type":"F16","type":"Q4_K"}]})");
    bad(R"({"format":"gguf","mix":"Q4_K_M","file_type":15,"tensors":[{"name":"a","ne":[256,0],"input_type":"F16","type":"Q4_K"}]})");
    bad(R"({"format":"gguf","mix":"Q4_K_M","file_type":15,"tensors":[{"name":"a","ne":[256,4],"input_type":"F16","type":"Q4_K","bytes":1}]})");
    bad(R"({"format":"gguf","mix":"Q4_K_M","file_type":15,"tensors":[{"name":"a","ne":[256],"input_type":"F16","type":"F16"},{"name":"a","ne":[256],"input_type":"F16","type":"F16"}]})");
    bad(R"({"format":"gguf","version":2,"mix":"Q4_K_M","file_type":15,"tensors":[]})");
}

TEST(MixPlan, LlamaQuantizeTensorOrder)
{
    std::vector<std::string> names = {"blk.10.attn_q.weight", "token_embd.weight", "blk.2.ffn_up.weight", "output.weight",
                                      "blk.2.attn_k.weight", "output_norm.weight", "blk.0.attn_norm.weight"};
    std::sort(names.begin(), names.end(), plan::llamaTensorOrderLess);
    const std::vector<std::string> want = {"output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_norm.weight",
                                           "blk.2.attn_k.weight", "blk.2.ffn_up.weight", "blk.10.attn_q.weight"};
    EXPECT_EQ(names, want);
}

} // namespace
} // namespace condense::test
