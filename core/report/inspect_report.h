#pragma once
// The `inspect` document: what a checkpoint holds, as JSON (shared by `condense-cli inspect
// --json` and the GUI's export). Schema:
// { "path", "format", "files": [..], "architecture", "model_type", "family", "known",
//   "parameters", "bytes", "bits_per_weight",
//   "spec": {hidden_size, intermediate_size, layers, heads, kv_heads, head_dim, vocab_size,
//            context_length, rope_theta, rms_norm_eps, tied_embeddings},
//   "dtypes": [{"type","tensors","elements","bytes","bits_per_weight"}],
//   "metadata": [{"key","value"}],
//   "tensors": [{"name","type","shape":[outermost first],"elements","bytes"}] }

#include <string>

#include "core/io/checkpoint.h"

namespace condense::report {

std::string inspectJson(const io::Checkpoint& ck, int indent = 2);

} // namespace condense::report
