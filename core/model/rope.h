#pragma once
// Rotary position embedding (RoPE) for one attention head.
//
// For rotated dimension pairs i = 0 .. nRot/2 - 1 and a token at position p:
//     angle_i = p * invFreq_i,   invFreq_i = theta^(-2i / nRot) / scale_i
//     (a, b) <- (a cos angle_i - b sin angle_i,  a sin angle_i + b cos angle_i)
// Dimensions nRot .. headDim-1 (partial rotary) are left alone.
//
// Which two elements form pair i depends on the weight layout:
//   Neox  (a, b) = (x[i], x[i + nRot/2])   Hugging Face "rotate_half" (every HF family here),
//                                            and llama.cpp's NEOX mode (GGUF qwen2 / qwen3);
//   Norm  (a, b) = (x[2i], x[2i + 1])       llama.cpp's NORM mode, GGUF arch "llama": the
//                                            converter permuted the Q/K rows so HF's pairs
//                                            (i, i + D/2) sit next to each other
//                                            (../shared/reference/formats.md 2.6, 1.3).
// Using Norm on those files is exactly HF's rotation on HF's rows: no un-permutation needed.
//
// scale_i comes from the rope scaling (transformers modeling_rope_utils.py):
//   default  1
//   linear   factor
//   llama3   wavelength_i = 2 pi / invFreq_i;  lo = origCtx / lowFreqFactor, hi = origCtx / highFreqFactor
//            wavelength > lo: factor;  wavelength < hi: 1;  otherwise 1 / ((1 - s) / factor + s) with
//            s = (origCtx / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
//   GGUF rope_freqs.weight (llama.cpp's form of llama3 scaling): scale_i = rope_freqs[i]
// (llama3's scale_i is computed by core/arch/rope_factors.h, which the GGUF converter uses too.)
// Angles, sines and cosines are computed in double and rounded to float once.

#include <cstdint>
#include <vector>

#include "core/common/result.h"
#include "core/arch/model_spec.h"

namespace condense::model {

enum class RopeLayout : std::uint8_t { Neox, Norm };

class Rope {
public:
    // nRot: rotated dimensions (even, <= headDim). freqFactors: rope_freqs (nRot/2 values) or empty.
    static Result<Rope> create(const arch::ModelSpec& spec, std::int64_t headDim, std::int64_t nRot, RopeLayout layout,
                               std::vector<float> freqFactors, const std::string& file);

    std::int64_t headDim() const { return m_headDim; }
    std::int64_t rotatedDims() const { return m_nRot; }
    RopeLayout layout() const { return m_layout; }
    const std::vector<double>& inverseFrequencies() const { return m_invFreq; }

    // cosOut / sinOut: nRot/2 values for position pos.
    void angles(std::int64_t pos, float* cosOut, float* sinOut) const;
    // Rotates one head vector (headDim floats) in place with the tables of angles().
    void rotate(float* head, const float* cosv, const float* sinv) const;

private:
    std::int64_t m_headDim = 0;
    std::int64_t m_nRot = 0;
    RopeLayout m_layout = RopeLayout::Neox;
    std::vector<double> m_invFreq;
};

} // namespace condense::model
