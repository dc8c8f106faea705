#pragma once
// embeddingErrorMetric: a stand-in for the Hessian that the token embedding matrix does not have
// (its rows are looked up, not multiplied), so that GPTQ inside GGUF (quant/gptq_ggml.h) can
// quantize token_embd too. An error d in an embedding row enters the residual stream; block 0's
// linears see it through their norms' gains g (the RMS normalisation scales a whole row alike,
// so it is left out), and the squared error of their outputs is d^T M d with
//
//   M = diag(g_attn) (Wq^T Wq + Wk^T Wk + Wv^T Wv) diag(g_attn)
//     + diag(g_ffn) (Wg^T Wg + Wu^T Wu) diag(g_ffn)                  (block 0; hidden x hidden)
//
// Returned row-major, symmetric, in double. Use it as the Hessian of token_embd when the
// embeddings are not tied (a tied matrix is the output head's and has that Hessian). On the
// small shared llama model it takes Q2_K's KLD against the original from 0.785 to 0.630 of
// llama-quantize's imatrix file (tests/bench/gguf_gptq_bench.cpp --embd-gptq).
// Errors: UnsupportedType when a weight cannot be read as floats; InvalidArgument for a model
// without blocks.

#include <vector>

#include "core/common/result.h"
#include "core/model/model.h"

namespace condense::model {

Result<std::vector<double>> embeddingErrorMetric(const Model& model);

} // namespace condense::model
