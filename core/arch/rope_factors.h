#pragma once
// Llama 3 RoPE frequency factors (transformers modeling_rope_utils.py _compute_llama3_parameters;
// llama.cpp stores them as the rope_freqs.weight tensor). For rotated dimension pairs
// i = 0, 2, 4, .. < rotaryDims:
//     invFreq_i    = 1 / theta^(i / rotaryDims),   wavelength_i = 2 pi / invFreq_i
//     lo = originalContext / lowFreqFactor,        hi = originalContext / highFreqFactor
//     factor_i = 1                                 wavelength_i < hi   (high frequencies kept)
//              = factor                            wavelength_i > lo   (low frequencies scaled)
//              = 1 / ((1 - s) / factor + s)        otherwise, s = (originalContext / wavelength_i
//                                                    - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
// and the scaled inverse frequency is invFreq_i / factor_i.
//
// Real = float repeats the float32 arithmetic of the Python converter (torch), so the GGUF
// converter writes the same rope_freqs bytes as convert_hf_to_gguf.py; Real = double is what the
// forward pass uses for HF checkpoints. The parameters are taken as given (no validation).

#include <cstdint>
#include <vector>

namespace condense::arch {

struct Llama3RopeScaling {
    double theta = 10000.0;
    double factor = 8.0;
    double lowFreqFactor = 1.0;
    double highFreqFactor = 4.0;
    double originalContext = 8192.0; // original_max_position_embeddings
};

// ceil(rotaryDims / 2) factors.
template <typename Real>
std::vector<Real> llama3RopeFactors(const Llama3RopeScaling& scaling, std::uint64_t rotaryDims);

extern template std::vector<float> llama3RopeFactors<float>(const Llama3RopeScaling&, std::uint64_t);
extern template std::vector<double> llama3RopeFactors<double>(const Llama3RopeScaling&, std::uint64_t);

} // namespace condense::arch
