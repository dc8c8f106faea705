#include "tests/support/test_models.h"

#include <gtest/gtest.h>

#include <mutex>

#include "core/io/checkpoint.h"
#include "core/pipeline/gguf_convert.h"
#include "tests/support/sha256.h"
#include "tests/support/synthetic_gguf.h"
#include "tests/support/test_paths.h"

namespace condense::test {

namespace {

struct Known {
    const char* name;
    const char* sha256; // of the file llama-quantize was run on
};

// sha256sum of the files the llama-quantize references of the tests were made from.
constexpr Known kKnown[] = {
    {"odd96", "6231f60775b1f2bda4c1fdd0fa9008bacb86256c262a19f3aa96762e8a11fae7"},
    {"odd80", "b9adf0382eb606f225a576d5fecebba6bfb2120b6d0cc9fba2bf14ad9b659dcb"},
    {"qwen2-F16", "78633f8168cc1ff7be5715aeb09ca4725d7aa1b9a67d38f2c120adc305c802c5"},
};

std::string make(const std::string& name, const std::filesystem::path& p)
{
    if (name == "odd96" || name == "odd80") {
        SyntheticLlama s;
        if (name == "odd96") {
            s.nEmbd = 96, s.nHead = 3, s.nHeadKv = 1, s.nFf = 256, s.nLayer = 8, s.nVocab = 128, s.seed = 7;
        } else {
            s.nEmbd = 80, s.nHead = 2, s.nHeadKv = 2, s.nFf = 96, s.nLayer = 2, s.nVocab = 64, s.seed = 8, s.tied = true;
        }
        s.name = name;
        return writeSyntheticLlama(p, s);
    }
    if (name == "qwen2-F16") {
        jobs::NullSink sink;
        auto ck = io::openCheckpoint(qwen2Dir(), sink);
        if (!ck) return describe(ck.error());
        pipeline::ConvertConfig cfg;
        cfg.outType = DType::F16;
        auto r = pipeline::convertToGguf(**ck, p, cfg, sink);
        return r ? std::string() : describe(r.error());
    }
    return "unknown test model " + name;
}

} // namespace

std::filesystem::path testModel(const std::string& name)
{
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    const Known* known = nullptr;
    for (const auto& k : kKnown)
        if (name == k.name) known = &k;
    if (!known) {
        ADD_FAILURE() << "unknown test model " << name;
        return {};
    }
    const auto dir = binaryDir() / "test-models";
    std::filesystem::create_directories(dir);
    const auto p = dir / (name + ".gguf");
    if (!std::filesystem::exists(p) || sha256File(p) != known->sha256) {
        std::error_code ec;
        std::filesystem::remove(p, ec);
        const std::string err = make(name, p);
        if (!err.empty()) {
            ADD_FAILURE() << "cannot make test model " << name << ": " << err;
            return {};
        }
    }
    const std::string got = sha256File(p);
    if (got != known->sha256) {
        ADD_FAILURE() << "test model " << name << " is not the file llama-quantize was run on (sha256 " << got << ")";
        return {};
    }
    return p;
}

} // namespace condense::test
