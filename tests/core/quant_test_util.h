#pragma once
// Helpers for the core/quant tests: re-quantize the float tensors of a GGUF with our kernels
// and compare every byte with a GGUF that llama-quantize wrote from the same input.
//
// llama-quantize converts each F16 tensor to float exactly, then calls ggml_quantize_chunk
// per tensor with the imatrix vector of that tensor (in_sum2 / counts from llama-imatrix's
// GGUF, tools/quantize/quantize.cpp load_imatrix) or none. The type of every output tensor
// is read from the reference file itself, so the mix logic is not under test here.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/io/gguf_file.h"
#include "core/quant/quant_registry.h"
#include "core/tensor/dtype.h"
#include "core/tensor/float_convert.h"

namespace condense::test {

inline std::shared_ptr<const io::GgufFile> openGguf(const std::filesystem::path& p)
{
    auto f = io::GgufFile::open(p);
    if (!f) {
        ADD_FAILURE() << "cannot open " << p;
        return nullptr;
    }
    return *f;
}

// Float contents of tensor `index` (F32 or F16 source).
inline std::vector<float> tensorAsFloat(const io::GgufFile& f, std::size_t index)
{
    const io::GgufTensorInfo& t = f.tensors()[index];
    std::vector<float> out(t.elements());
    EXPECT_TRUE(convertToF32(t.type, f.tensorData(index).data(), out.data(), out.size())) << t.name;
    return out;
}

// Per-column importance of `tensorName` from a llama-imatrix GGUF: in_sum2 / round(counts),
// as llama-quantize computes it; nullopt when the imatrix has no entry for the tensor.
inline std::optional<std::vector<float>> imatrixFor(const io::GgufFile& imatrix, const std::string& tensorName)
{
    const std::int64_t s = imatrix.findTensor(tensorName + ".in_sum2");
    const std::int64_t c = imatrix.findTensor(tensorName + ".counts");
    if (s < 0 || c < 0) return std::nullopt;
    std::vector<float> sums = tensorAsFloat(imatrix, static_cast<std::size_t>(s));
    std::vector<float> counts = tensorAsFloat(imatrix, static_cast<std::size_t>(c));
    if (counts.size() != 1) {
        ADD_FAILURE() << tensorName << ": expected one count (2-D tensor), got " << counts.size();
        return std::nullopt;
    }
    const float count = static_cast<float>(std::lround(counts[0]));
    for (float& v : sums)
        v = count > 0.0f ? v / count : 1.0f;
    return sums;
}

struct CompareStats {
    std::map<std::string, int> identical; // per ggml type name
    std::map<std::string, int> different;
    std::vector<std::string> mismatches; // "tensor: first differing byte ..."
};

// Re-quantizes every tensor of `reference` whose type we implement from the same-named tensor
// of `source` and compares the bytes. `imatrix` may be null (the no-importance path);
// `kernels` picks the scalar reference or the optimized kernels.
inline CompareStats compareWithReference(const io::GgufFile& source, const io::GgufFile& reference,
                                         const io::GgufFile* imatrix, CpuLevel kernels = CpuLevel::Best)
{
    CompareStats stats;
    for (std::size_t i = 0; i < reference.tensors().size(); ++i) {
        const io::GgufTensorInfo& rt = reference.tensors()[i];
        const quant::QuantKernels* k = quant::quantKernels(rt.type);
        if (!k || !k->dot) continue; // F32/F16 tensors and types we do not write
        const std::int64_t si = source.findTensor(rt.name);
        if (si < 0) {
            ADD_FAILURE() << rt.name << " missing from the source";
            continue;
        }
        const std::vector<float> x = tensorAsFloat(source, static_cast<std::size_t>(si));
        const std::int64_t nPerRow = static_cast<std::int64_t>(rt.ne[0]);
        const std::int64_t nrows = static_cast<std::int64_t>(x.size()) / nPerRow;
        std::optional<std::vector<float>> imp;
        if (imatrix) imp = imatrixFor(*imatrix, rt.name);
        const std::span<const std::byte> want = reference.tensorData(i);
        std::vector<std::byte> got(want.size());
        EXPECT_TRUE(quant::quantizeRows(rt.type, x.data(), got.data(), nrows, nPerRow, imp ? imp->data() : nullptr, {},
                                        kernels))
            << rt.name;
        const std::string typeName(dtypeName(rt.type));
        if (std::memcmp(got.data(), want.data(), want.size()) == 0) {
            ++stats.identical[typeName];
            continue;
        }
        ++stats.different[typeName];
        std::size_t firstDiff = 0, nDiff = 0;
        for (std::size_t b = want.size(); b-- > 0;)
            if (got[b] != want[b]) {
                firstDiff = b;
                ++nDiff;
            }
        const std::uint64_t blockBytes = dtypeTraits(rt.type)->blockBytes;
        stats.mismatches.push_back(rt.name + " (" + typeName + (imp ? ", imatrix" : "") +
                                   "): " + std::to_string(nDiff) + " of " + std::to_string(want.size()) +
                                   " bytes differ, first at block " + std::to_string(firstDiff / blockBytes) +
                                   " byte " + std::to_string(firstDiff % blockBytes));
    }
    return stats;
}

inline std::string describe(const CompareStats& s)
{
    std::string out;
    for (const auto& [t, n] : s.identical)
        out += t + ": " + std::to_string(n) + " identical; ";
    for (const auto& [t, n] : s.different)
        out += t + ": " + std::to_string(n) + " DIFFERENT; ";
    for (const std::string& m : s.mismatches)
        out += "\n  " + m;
    return out;
}

} // namespace condense::test
