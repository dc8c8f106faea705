// Whole evaluation texts (../shared/models/eval) tokenized by every tokenizer path, against the
// token count, the sha256 of the ids (int32 little-endian, hashed by coreutils' sha256sum) and
// the first 64 ids that golden/perplexity.json gives for transformers' ids, and for the
// sentencepiece library's ids where those differ (tiny-llama-spm on WikiText, which starts
// with a space). This is the big check: 118k-476k tokens per text.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/pipeline/gguf_convert.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::tokenizer {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Ids = std::vector<std::int32_t>;

struct Expected {
    std::size_t count = 0;
    std::string sha256; // empty: not given
    Ids first64;
};

Json resultFor(const Json& perplexity, const std::string& textFile)
{
    for (const auto& r : perplexity["results"])
        if (r["text_file"] == textFile) return r;
    ADD_FAILURE() << "no result for " << textFile;
    return Json::object();
}

Json perplexityOf(const fs::path& modelDir) { return Json::parse(test::readFile(modelDir / "golden" / "perplexity.json")); }

Expected transformersIds(const fs::path& modelDir, const std::string& textFile)
{
    const Json r = resultFor(perplexityOf(modelDir), textFile);
    return {r["n_tokens"].get<std::size_t>(), r["token_ids_int32le_sha256"].get<std::string>(), r["first_64_ids"].get<Ids>()};
}

// sentencepiece's ids (tiny-llama-spm): the same as transformers' when the file says so.
Expected sentencepieceIds(const std::string& textFile)
{
    const Json r = resultFor(perplexityOf(test::tinyLlamaDir()), textFile);
    if (r["sentencepiece_ids_equal_hf"].get<bool>()) return transformersIds(test::tinyLlamaDir(), textFile);
    return {r["sentencepiece_n_tokens"].get<std::size_t>(), {}, r["sentencepiece_first_64_ids"].get<Ids>()};
}

std::string sha256Of(const Ids& ids)
{
    test::TempDir dir("condense-tok-sha");
    const fs::path f = dir / "ids.bin";
    test::writeFile(f, std::string(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(std::int32_t)));
    const auto r = test::runCommand("sha256sum '" + f.string() + "'");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return r.out.substr(0, 64);
}

void expectIds(const Tokenizer& tok, const std::string& textFile, const Expected& want, const char* what)
{
    SCOPED_TRACE(std::string(what) + " on " + textFile);
    const std::string text = test::readFile(test::modelsDir() / textFile);
    const auto t0 = std::chrono::steady_clock::now();
    const Ids ids = tok.encode(text, false, false);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::cout << "[ info ] " << what << ", " << textFile << ": " << ids.size() << " tokens in " << ms << " ms ("
              << text.size() / 1e6 / (ms / 1e3) << " MB/s)\n";
    EXPECT_EQ(ids.size(), want.count);
    ASSERT_GE(ids.size(), want.first64.size());
    EXPECT_EQ(Ids(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(want.first64.size())), want.first64);
    if (!want.sha256.empty()) {
        EXPECT_EQ(sha256Of(ids), want.sha256);
    }
    // Special parsing changes nothing on these texts (no special-token text in them).
    EXPECT_EQ(tok.encode(text, false, true), ids);
}

std::unique_ptr<Tokenizer> loadOk(const fs::path& p)
{
    const auto t0 = std::chrono::steady_clock::now();
    auto t = loadTokenizer(p);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : describe(t.error()));
    if (t.ok()) std::cout << "[ info ] loading " << tokenizerSourceName((*t)->source()) << " took " << ms << " ms\n";
    return t.ok() ? std::move(*t) : nullptr;
}

const char* const kTexts[] = {"eval/corpus-val.txt", "eval/wikitext-2-raw-test.txt"};

TEST(TokenizerEvalText, TinyLlamaHfFolderMatchesTransformers)
{
    auto tok = loadOk(test::tinyLlamaDir());
    ASSERT_TRUE(tok);
    for (const char* t : kTexts) expectIds(*tok, t, transformersIds(test::tinyLlamaDir(), t), "tiny-llama-spm tokenizer.json");
}

TEST(TokenizerEvalText, Qwen2HfFolderMatchesTransformers)
{
    auto tok = loadOk(test::qwen2Dir());
    ASSERT_TRUE(tok);
    for (const char* t : kTexts) expectIds(*tok, t, transformersIds(test::qwen2Dir(), t), "small-qwen2-bpe tokenizer.json");
}

TEST(TokenizerEvalText, TinyLlamaReferenceGgufMatchesSentencepiece)
{
    auto tok = loadOk(test::referenceGguf("F16"));
    ASSERT_TRUE(tok);
    for (const char* t : kTexts) expectIds(*tok, t, sentencepieceIds(t), "tiny-llama-spm GGUF");
}

TEST(TokenizerEvalText, TinyLlamaTokenizerModelMatchesSentencepiece)
{
    test::TempDir dir("condense-tok");
    fs::create_symlink(test::tinyLlamaDir() / "tokenizer.model", dir / "tokenizer.model");
    auto tok = loadOk(dir.path());
    ASSERT_TRUE(tok);
    for (const char* t : kTexts) expectIds(*tok, t, sentencepieceIds(t), "tiny-llama-spm tokenizer.model");
}

TEST(TokenizerEvalText, Qwen2GgufMatchesTransformers)
{
    // Both texts are already in NFC (checked with Python's unicodedata.is_normalized), so the
    // missing NFC step of the GGUF path (as in llama.cpp) changes nothing here.
    test::TempDir dir("condense-tok-qwen2");
    jobs::NullSink sink;
    auto ck = io::openCheckpoint(test::qwen2Dir(), sink);
    ASSERT_TRUE(ck.ok()) << describe(ck.error());
    pipeline::ConvertConfig cfg;
    auto r = pipeline::convertToGguf(**ck, dir / "qwen2.gguf", cfg, sink);
    ASSERT_TRUE(r.ok()) << describe(r.error());
    auto tok = loadOk(dir / "qwen2.gguf");
    ASSERT_TRUE(tok);
    for (const char* t : kTexts) expectIds(*tok, t, transformersIds(test::qwen2Dir(), t), "small-qwen2-bpe GGUF");
}

} // namespace
} // namespace condense::tokenizer
