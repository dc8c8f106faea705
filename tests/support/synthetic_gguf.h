#pragma once
// Builds a llama-arch F16 GGUF with made-up weights that llama.cpp's tools load (llama-quantize
// needs no tokenizer): deterministic for a given seed on every platform (integer hashing and
// correctly rounded IEEE operations only), heavy-tailed like trained weights
// (x = s * n / sqrt(v): n ~ sum of four uniforms, v ~ U(0, 1], so P(|x| > t) ~ t^-2 as a
// Student t with 2 degrees of freedom). Norm weights are 1 + small noise, F32.
// Used by tests (shapes llama-quantize cannot take whole: rows not multiples of 256) and by the
// quantization benchmark (TinyLlama-1.1B shapes).
#include <cstdint>
#include <filesystem>
#include <string>

namespace condense::test {

struct SyntheticLlama {
    std::uint32_t nEmbd = 256;
    std::uint32_t nHead = 8;
    std::uint32_t nHeadKv = 4;
    std::uint32_t nFf = 768;
    std::uint32_t nLayer = 2;
    std::uint32_t nVocab = 512;
    bool tied = false; // no output.weight
    std::uint64_t seed = 1;
    float scale = 0.02f;
    std::string name = "synthetic";
};

// Writes the model to `path` (atomically, through GgufWriter). Returns "" or an error text.
std::string writeSyntheticLlama(const std::filesystem::path& path, const SyntheticLlama& spec);

// The i-th weight value of tensor number `tensor` (exposed for tests that poke NaNs in).
float syntheticWeight(std::uint64_t seed, std::uint64_t tensor, std::uint64_t i, float scale);

} // namespace condense::test
