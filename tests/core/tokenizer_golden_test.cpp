// Tokenizers against golden/tokenizer.json of both reference models (transformers 5.17 ids,
// tokens and decoded strings; for tiny-llama-spm also the sentencepiece library's ids), from the
// Hugging Face folder, from tokenizer.model alone, and from GGUF files: llama.cpp's reference
// GGUF of tiny-llama-spm, and a GGUF we convert from small-qwen2-bpe (its vocabulary is then
// read back through the GGUF path, which behaves like llama.cpp).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/io/checkpoint.h"
#include "core/pipeline/gguf_convert.h"
#include "core/io/gguf_file.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::tokenizer {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Ids = std::vector<std::int32_t>;

Json readGolden(const fs::path& modelDir)
{
    return Json::parse(test::readFile(modelDir / "golden" / "tokenizer.json"));
}

Ids idsOf(const Json& j) { return j.get<Ids>(); }

std::unique_ptr<Tokenizer> loadOk(const fs::path& p)
{
    auto t = loadTokenizer(p);
    EXPECT_TRUE(t.ok()) << (t.ok() ? "" : describe(t.error()) + " " + t.error().file);
    return t.ok() ? std::move(*t) : nullptr;
}

// A case label for failure messages: the golden text, escaped.
std::string label(const Json& c) { return c["text"].dump(); }

// Checks one tokenizer against transformers' ids, tokens and decoded strings.
void expectMatchesTransformers(const Tokenizer& tok, const Json& golden)
{
    for (const auto& c : golden["cases"]) {
        const std::string text = c["text"].get<std::string>();
        SCOPED_TRACE(label(c));
        const Ids ids = tok.encode(text, false, true);
        EXPECT_EQ(ids, idsOf(c["ids"]));
        EXPECT_EQ(tok.encode(text, true, true), idsOf(c["ids_with_special"]));
        std::vector<std::string> tokens;
        for (const auto id : idsOf(c["ids"])) tokens.push_back(tok.tokenToPiece(id));
        EXPECT_EQ(tokens, c["tokens"].get<std::vector<std::string>>());
        EXPECT_EQ(tok.decode(idsOf(c["ids"]), false), c["decoded"].get<std::string>());
        EXPECT_EQ(tok.decode(idsOf(c["ids_with_special"]), false), c["decoded_with_special"].get<std::string>());
        EXPECT_EQ(tok.decode(idsOf(c["ids_with_special"]), true), c["decoded_with_special_skip"].get<std::string>());
    }
}

std::int32_t goldenId(const Json& golden, const char* key) { return golden[key].is_null() ? -1 : golden[key].get<std::int32_t>(); }

TEST(TokenizerGolden, TinyLlamaFromHfFolderMatchesTransformers)
{
    const Json golden = readGolden(test::tinyLlamaDir());
    auto tok = loadOk(test::tinyLlamaDir());
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->source(), TokenizerSource::HfTokenizerJson);
    EXPECT_EQ(tok->vocabSize(), golden["vocab_size"].get<std::int32_t>());
    EXPECT_EQ(tok->bosId(), goldenId(golden, "bos_token_id"));
    EXPECT_EQ(tok->eosId(), goldenId(golden, "eos_token_id"));
    EXPECT_EQ(tok->unkId(), goldenId(golden, "unk_token_id"));
    EXPECT_EQ(tok->padId(), goldenId(golden, "pad_token_id"));
    EXPECT_TRUE(tok->addBos());
    EXPECT_FALSE(tok->addEos());
    EXPECT_TRUE(tok->isSpecial(1));
    EXPECT_TRUE(tok->isSpecial(2));
    EXPECT_FALSE(tok->isSpecial(4007));
    expectMatchesTransformers(*tok, golden);
}

TEST(TokenizerGolden, Qwen2FromHfFolderMatchesTransformers)
{
    const Json golden = readGolden(test::tinyQwen2Dir());
    auto tok = loadOk(test::tinyQwen2Dir());
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->vocabSize(), golden["vocab_size"].get<std::int32_t>());
    EXPECT_EQ(tok->bosId(), goldenId(golden, "bos_token_id"));
    EXPECT_EQ(tok->eosId(), goldenId(golden, "eos_token_id"));
    EXPECT_EQ(tok->padId(), goldenId(golden, "pad_token_id"));
    // (transformers' Qwen2Tokenizer class names <|endoftext|> as unk by default; the files do
    // not, and the BPE model has no unk_token, so we report none.)
    EXPECT_FALSE(tok->addBos());
    EXPECT_FALSE(tok->addEos());
    EXPECT_TRUE(tok->isControl(8191));
    expectMatchesTransformers(*tok, golden);
}

// llama.cpp (and sentencepiece) always put U+2581 in front; their ids are the golden
// `sentencepiece_ids` (the sentencepiece library on tokenizer.model). Special-token text is
// not parsed, as sentencepiece does not.
void expectMatchesSentencepiece(const Tokenizer& tok, const Json& golden, bool bosAdded)
{
    for (const auto& c : golden["cases"]) {
        const std::string text = c["text"].get<std::string>();
        SCOPED_TRACE(label(c));
        const Ids expected = idsOf(c["sentencepiece_ids"]);
        EXPECT_EQ(c["hf_equals_sentencepiece"].get<bool>(), expected == idsOf(c["ids"]));
        EXPECT_EQ(tok.encode(text, false, false), expected);
        Ids withBos = expected;
        if (bosAdded) withBos.insert(withBos.begin(), 1);
        EXPECT_EQ(tok.encode(text, true, false), withBos);
        // Decoding drops the leading U+2581 again: the text comes back.
        EXPECT_EQ(tok.decode(expected, true), text);
        EXPECT_EQ(tok.decode(withBos, true), text);
    }
}

TEST(TokenizerGolden, TinyLlamaReferenceGgufMatchesSentencepiece)
{
    const Json golden = readGolden(test::tinyLlamaDir());
    auto tok = loadOk(test::referenceGguf("F16"));
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->source(), TokenizerSource::GgufLlama);
    EXPECT_EQ(tok->vocabSize(), 4096);
    EXPECT_EQ(tok->bosId(), 1);
    EXPECT_EQ(tok->eosId(), 2);
    EXPECT_EQ(tok->unkId(), 0);
    EXPECT_TRUE(tok->addBos());
    expectMatchesSentencepiece(*tok, golden, true);

    // With special parsing, llama.cpp cuts "<s>" / "</s>" / "<unk>" out and puts a space
    // prefix in front of every text fragment after them.
    const Ids parsed = tok->encode("a<s>b", false, true);
    ASSERT_EQ(parsed.size(), 3u);
    EXPECT_EQ(parsed[1], 1);
    EXPECT_EQ(parsed[0], tok->encode("a", false, false)[0]);
    EXPECT_EQ(parsed[2], tok->encode("b", false, false)[0]);
    // Same pieces as tokenizer.json's vocabulary.
    const Json& cases = golden["cases"];
    for (const auto& c : cases) {
        const Ids ids = idsOf(c["ids"]);
        const auto tokens = c["tokens"].get<std::vector<std::string>>();
        for (std::size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(tok->tokenToPiece(ids[i]), tokens[i]);
    }
}

TEST(TokenizerGolden, TinyLlamaTokenizerModelAloneMatchesSentencepiece)
{
    // A folder with tokenizer.model but no tokenizer.json: the sentencepiece behaviour.
    test::TempDir dir("condense-tok");
    for (const char* f : {"tokenizer.model", "tokenizer_config.json", "special_tokens_map.json", "config.json"})
        fs::create_symlink(test::tinyLlamaDir() / f, dir / f);
    auto tok = loadOk(dir.path());
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->source(), TokenizerSource::SentencePieceModel);
    EXPECT_EQ(tok->bosId(), 1);
    EXPECT_EQ(tok->eosId(), 2);
    EXPECT_EQ(tok->unkId(), 0);
    EXPECT_EQ(tok->padId(), -1);
    EXPECT_TRUE(tok->addBos()); // tokenizer_config.json add_bos_token
    EXPECT_FALSE(tok->addEos());
    expectMatchesSentencepiece(*tok, readGolden(test::tinyLlamaDir()), true);
}

// small-qwen2-bpe converted to GGUF once for the tests below.
class Qwen2Gguf : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        s_dir = std::make_unique<test::TempDir>("condense-tok-qwen2");
        jobs::NullSink sink;
        auto ck = io::openCheckpoint(test::tinyQwen2Dir(), sink);
        ASSERT_TRUE(ck.ok()) << describe(ck.error());
        pipeline::ConvertConfig cfg;
        cfg.outType = DType::F16;
        auto r = pipeline::convertToGguf(**ck, *s_dir / "qwen2.gguf", cfg, sink);
        ASSERT_TRUE(r.ok()) << describe(r.error());
    }
    static void TearDownTestSuite() { s_dir.reset(); }
    static fs::path gguf() { return *s_dir / "qwen2.gguf"; }
    static std::unique_ptr<test::TempDir> s_dir;
};
std::unique_ptr<test::TempDir> Qwen2Gguf::s_dir;

// Text containing a combining mark (U+0300-U+036F) that NFC would compose: transformers
// normalizes it (tokenizer.json has an NFC normalizer), llama.cpp does not.
bool nfcSensitive(const std::string& s)
{
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const auto a = static_cast<unsigned char>(s[i]), b = static_cast<unsigned char>(s[i + 1]);
        if ((a == 0xCC && b >= 0x80) || (a == 0xCD && b <= 0xAF)) return true;
    }
    return false;
}

TEST_F(Qwen2Gguf, MatchesTransformersExceptWhereNfcChangesTheText)
{
    const Json golden = readGolden(test::tinyQwen2Dir());
    auto tok = loadOk(gguf());
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->source(), TokenizerSource::GgufGpt2);
    EXPECT_EQ(tok->vocabSize(), 8192);
    EXPECT_EQ(tok->eosId(), 8191);
    EXPECT_EQ(tok->padId(), 8191);
    EXPECT_EQ(tok->bosId(), 8191); // gguf-py takes config.json's bos_token_id; it is never added
    EXPECT_FALSE(tok->addBos());
    int nfcCases = 0;
    for (const auto& c : golden["cases"]) {
        const std::string text = c["text"].get<std::string>();
        SCOPED_TRACE(label(c));
        const Ids ids = tok->encode(text, false, true);
        if (nfcSensitive(text)) {
            // The documented exception: llama.cpp keeps the decomposed "e + U+0301".
            ++nfcCases;
            EXPECT_NE(ids, idsOf(c["ids"]));
            EXPECT_EQ(tok->decode(ids, false), text);
            continue;
        }
        EXPECT_EQ(ids, idsOf(c["ids"]));
        EXPECT_EQ(tok->encode(text, true, true), idsOf(c["ids_with_special"]));
        EXPECT_EQ(tok->decode(idsOf(c["ids"]), false), c["decoded"].get<std::string>());
        EXPECT_EQ(tok->decode(idsOf(c["ids_with_special"]), true), c["decoded_with_special_skip"].get<std::string>());
    }
    EXPECT_EQ(nfcCases, 1);
}

// golden/logits.json: the prompts' ids (add_special_tokens=True) and the decoded greedy
// continuations.
TEST(TokenizerGolden, LogitsPromptsAndContinuations)
{
    for (const fs::path& dir : {test::tinyLlamaDir(), test::qwen2Dir()}) {
        SCOPED_TRACE(dir.filename().string());
        const Json logits = Json::parse(test::readFile(dir / "golden" / "logits.json"));
        auto tok = loadOk(dir);
        ASSERT_TRUE(tok);
        ASSERT_EQ(logits["prompts"].size(), 3u);
        for (const auto& p : logits["prompts"]) {
            EXPECT_EQ(tok->encode(p["text"].get<std::string>(), true, true), idsOf(p["input_ids"]));
            EXPECT_EQ(tok->decode(idsOf(p["greedy_continuation_ids"]), true), p["greedy_continuation_text"].get<std::string>());
        }
    }
}

TEST(TokenizerGolden, CheckpointLoaderPicksTheRightSource)
{
    jobs::NullSink sink;
    auto hf = io::openCheckpoint(test::tinyLlamaDir(), sink);
    ASSERT_TRUE(hf.ok());
    auto t1 = loadTokenizer(**hf);
    ASSERT_TRUE(t1.ok()) << describe(t1.error());
    EXPECT_EQ((*t1)->source(), TokenizerSource::HfTokenizerJson);
    auto g = io::openCheckpoint(test::referenceGguf("Q4_K_M"), sink);
    ASSERT_TRUE(g.ok());
    auto t2 = loadTokenizer(**g);
    ASSERT_TRUE(t2.ok()) << describe(t2.error());
    EXPECT_EQ((*t2)->source(), TokenizerSource::GgufLlama);
    // A .safetensors file: the tokenizer of its folder.
    auto t3 = loadTokenizer(test::tinyLlamaDir() / "model.safetensors");
    ASSERT_TRUE(t3.ok());
    EXPECT_EQ((*t3)->source(), TokenizerSource::HfTokenizerJson);
}

} // namespace
} // namespace condense::tokenizer
