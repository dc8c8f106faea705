#pragma once
// compressed-tensors "pack-quantized" (what llm-compressor saves for W4A16 / W8A16, and vLLM
// loads): read from neuralmagic/compressed-tensors at 52792be,
// src/compressed_tensors/compressors/quantized_compressors/pack_quantized.py (pack_to_int32,
// unpack_from_int32, compression_param_info, compress_weight), .../quantized_compressors/base.py
// (zero points of symmetric / packed schemes are not saved unpacked) and
// src/compressed_tensors/quantization/quant_scheme.py (W4A16: 4 bits, group 128, symmetric;
// W4A16_ASYM; W8A16: 8 bits, channel, symmetric). Per linear of `out` rows, `in` columns:
//
//   weight_packed     I32 [out, ceil(in / k)]      k = 32 / bits values per word along the input
//                                                  dim, value j at bit bits*j, zero padded
//   weight_scale      F16 [out, groups]            groups = in / group ("group"), 1 ("channel")
//   weight_zero_point I32 [ceil(out / k), groups]  asymmetric only: packed along the OUTPUT dim
//   weight_g_idx      I32 [in]                     act-order only (actorder "group")
//   weight_shape      I64 [2]                      [out, in] (torch.tensor(weight.shape); I32 read too)
//
// Stored values are the signed quantized integers plus 2^(bits-1) ("offset" in pack_to_int32),
// i.e. exactly GptqResult's unsigned codes (code = signed + 2^(bits-1)); the same holds for the
// zero points (signed zero point + offset = GptqResult's zero). Symmetric schemes have signed
// zero point 0, so GptqResult's zero must be 2^(bits-1). Dequantization
// (quantization/lifecycle/forward.py dequantize): (x_q - zero_point) * scale.

#include <span>
#include <vector>

#include "core/common/result.h"
#include "core/quant/packed_linear.h"

namespace condense::quant {

// Reading: io::unpackPackedLinear (core/io/packed_linear_reader.h).
Result<std::vector<PackedTensor>> packCompressedTensors(const GptqResult& r, const PackConfig& config);

} // namespace condense::quant
