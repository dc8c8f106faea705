// Tokenizer loading errors (missing, unsupported and malformed tokenizers name the file and say
// what is wrong), robustness on hostile input, and the legacy tokenizer.json layout of Llama
// tokenizers (Prepend + Replace normalizer instead of Metaspace), checked against the
// sentencepiece ids of golden/tokenizer.json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/io/gguf_writer.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace condense::tokenizer {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Ids = std::vector<std::int32_t>;
using test::TempDir;

void expectError(const Result<std::unique_ptr<Tokenizer>>& r, ErrorCode code, const std::string& fileEnd, const std::string& detailHas)
{
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, code) << describe(r.error());
    EXPECT_TRUE(r.error().file.size() >= fileEnd.size() && r.error().file.compare(r.error().file.size() - fileEnd.size(), fileEnd.size(), fileEnd) == 0)
        << r.error().file;
    EXPECT_NE(r.error().detail.find(detailHas), std::string::npos) << r.error().detail;
}

Json tinyTokenizerJson() { return Json::parse(test::readFile(test::tinyLlamaDir() / "tokenizer.json")); }

fs::path writeTokenizerJson(const TempDir& dir, const Json& j)
{
    test::writeFile(dir / "tokenizer.json", j.dump());
    return dir.path();
}

TEST(TokenizerErrors, MissingTokenizer)
{
    TempDir dir("condense-tok-err");
    test::writeFile(dir / "config.json", "{}");
    expectError(loadTokenizer(dir.path()), ErrorCode::MissingTokenizer, dir.path().filename().string(), "tokenizer.json");
    test::writeFile(dir / "vocab.json", "{}");
    expectError(loadTokenizer(dir.path()), ErrorCode::MissingTokenizer, dir.path().filename().string(), "vocab.json");
    expectError(loadTokenizer(dir / "nothing-here"), ErrorCode::NotFound, "nothing-here", "no such");
}

TEST(TokenizerErrors, UnsupportedTokenizerJsonModels)
{
    TempDir dir("condense-tok-err");
    Json wp = {{"version", "1.0"}, {"model", {{"type", "WordPiece"}, {"unk_token", "[UNK]"}, {"vocab", {{"[UNK]", 0}}}}}};
    expectError(loadTokenizer(writeTokenizerJson(dir, wp)), ErrorCode::UnsupportedFormat, "tokenizer.json", "WordPiece");
    Json uni = {{"model", {{"type", "Unigram"}, {"vocab", Json::array({Json::array({"<unk>", 0.0})})}}}};
    expectError(loadTokenizer(writeTokenizerJson(dir, uni)), ErrorCode::UnsupportedFormat, "tokenizer.json", "Unigram");
    Json untyped = {{"model", {{"vocab", Json::array({Json::array({"<unk>", 0.0})})}}}}; // older files omit "type"
    expectError(loadTokenizer(writeTokenizerJson(dir, untyped)), ErrorCode::UnsupportedFormat, "tokenizer.json", "Unigram");
}

TEST(TokenizerErrors, UnsupportedComponentsAreNamed)
{
    TempDir dir("condense-tok-err");
    Json j = tinyTokenizerJson();
    j["normalizer"] = {{"type", "BertNormalizer"}, {"lowercase", true}};
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::UnsupportedFormat, "tokenizer.json", "BertNormalizer");
    j = tinyTokenizerJson();
    j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::UnsupportedFormat, "tokenizer.json", "BertPreTokenizer");
    j = tinyTokenizerJson();
    j["decoder"] = {{"type", "CTC"}};
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::UnsupportedFormat, "tokenizer.json", "CTC");
    j = tinyTokenizerJson();
    j["post_processor"] = {{"type", "SomethingNew"}};
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::UnsupportedFormat, "tokenizer.json", "SomethingNew");
    j = tinyTokenizerJson();
    j["pre_tokenizer"] = {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::UnsupportedFormat, "tokenizer.json", "does not compile");
}

TEST(TokenizerErrors, MalformedTokenizerJson)
{
    TempDir dir("condense-tok-err");
    test::writeFile(dir / "tokenizer.json", "{\"model\": {\"type\": \"BPE\", ");
    expectError(loadTokenizer(dir.path()), ErrorCode::Malformed, "tokenizer.json", "invalid JSON");
    Json j = tinyTokenizerJson();
    j["model"]["vocab"]["<s>"] = -7;
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::OutOfRange, "tokenizer.json", "-7");
    j = tinyTokenizerJson();
    j["model"]["merges"] = Json::array({42});
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::Malformed, "tokenizer.json", "merges");
    j = tinyTokenizerJson();
    j["model"] = "BPE";
    expectError(loadTokenizer(writeTokenizerJson(dir, j)), ErrorCode::Malformed, "tokenizer.json", "model");
}

// Protobuf wire bytes (varint keys, length-delimited fields) for a tiny ModelProto.
std::string varint(std::uint64_t v)
{
    std::string s;
    while (v >= 0x80) {
        s += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    s += static_cast<char>(v);
    return s;
}
std::string field(int number, const std::string& bytes) { return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(bytes.size()) + bytes; }
std::string piece(const std::string& text, int type)
{
    return field(1, text) + varint(2 << 3 | 5) + std::string(4, '\0') + varint(3 << 3) + varint(static_cast<std::uint64_t>(type));
}

TEST(TokenizerErrors, UnigramTokenizerModelIsRefused)
{
    TempDir dir("condense-tok-err");
    const std::string trainer = varint(3 << 3) + varint(1); // model_type = UNIGRAM
    test::writeFile(dir / "tokenizer.model", field(1, piece("<unk>", 2)) + field(1, piece("a", 1)) + field(2, trainer));
    expectError(loadTokenizer(dir.path()), ErrorCode::UnsupportedFormat, "tokenizer.model", "Unigram");
    test::writeFile(dir / "tokenizer.model", "\xff\xff\xff");
    auto r = loadTokenizer(dir.path());
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().code, ErrorCode::Ok);
}

fs::path writeGguf(const TempDir& dir, const std::string& name, const std::vector<io::GgufKV>& kv)
{
    io::GgufWriter w;
    w.set("general.architecture", io::GgufValue::string("llama"));
    for (const auto& e : kv) w.set(e.key, e.value);
    auto header = w.serializeHeader();
    EXPECT_TRUE(header.ok());
    const fs::path p = dir / name;
    test::writeFile(p, std::string(reinterpret_cast<const char*>(header->data()), header->size()));
    return p;
}

TEST(TokenizerErrors, GgufWithoutOrWithUnsupportedVocabulary)
{
    TempDir dir("condense-tok-err");
    expectError(loadTokenizer(writeGguf(dir, "none.gguf", {})), ErrorCode::MissingTokenizer, "none.gguf", "tokenizer.ggml.model");
    const auto tokens = io::GgufValue::stringArray({"<unk>", "<s>", "</s>", "a", "b", "ab"});
    expectError(loadTokenizer(writeGguf(dir, "bert.gguf", {{"tokenizer.ggml.model", io::GgufValue::string("bert")}, {"tokenizer.ggml.tokens", tokens}})),
                ErrorCode::UnsupportedFormat, "bert.gguf", "WordPiece");
    expectError(loadTokenizer(writeGguf(dir, "novocab.gguf", {{"tokenizer.ggml.model", io::GgufValue::string("no_vocab")}})),
                ErrorCode::MissingTokenizer, "novocab.gguf", "no_vocab");
    expectError(loadTokenizer(writeGguf(dir, "notokens.gguf", {{"tokenizer.ggml.model", io::GgufValue::string("llama")}})),
                ErrorCode::MissingTokenizer, "notokens.gguf", "tokenizer.ggml.tokens");
    expectError(loadTokenizer(writeGguf(dir, "nomerges.gguf", {{"tokenizer.ggml.model", io::GgufValue::string("gpt2")}, {"tokenizer.ggml.tokens", tokens}})),
                ErrorCode::MissingTokenizer, "nomerges.gguf", "merges");
    const auto merges = io::GgufValue::stringArray({"a b"});
    expectError(loadTokenizer(writeGguf(dir, "pre.gguf",
                                        {{"tokenizer.ggml.model", io::GgufValue::string("gpt2")},
                                         {"tokenizer.ggml.pre", io::GgufValue::string("made-up-pre")},
                                         {"tokenizer.ggml.tokens", tokens},
                                         {"tokenizer.ggml.merges", merges}})),
                ErrorCode::UnsupportedFormat, "pre.gguf", "made-up-pre");
    expectError(loadTokenizer(writeGguf(dir, "types.gguf",
                                        {{"tokenizer.ggml.model", io::GgufValue::string("llama")},
                                         {"tokenizer.ggml.tokens", tokens},
                                         {"tokenizer.ggml.token_type", io::GgufValue::i32Array({1, 3})}})),
                ErrorCode::Malformed, "types.gguf", "token_type");
    expectError(loadTokenizer(writeGguf(dir, "tokentype.gguf",
                                        {{"tokenizer.ggml.model", io::GgufValue::string("llama")}, {"tokenizer.ggml.tokens", io::GgufValue::string("x")}})),
                ErrorCode::Malformed, "tokentype.gguf", "array of strings");

    // A small gpt2 vocabulary works, with the pre-tokenizer llama.cpp uses when none is named.
    auto ok = loadTokenizer(writeGguf(dir, "ok.gguf", {{"tokenizer.ggml.model", io::GgufValue::string("gpt2")}, {"tokenizer.ggml.tokens", tokens}, {"tokenizer.ggml.merges", merges}}));
    ASSERT_TRUE(ok.ok()) << describe(ok.error());
    EXPECT_EQ((*ok)->encode("ab", false, false), Ids{5});
    EXPECT_EQ((*ok)->encode("ba", false, false), (Ids{4, 3}));
}

std::vector<std::unique_ptr<Tokenizer>> allTokenizers(const TempDir& spDir)
{
    std::vector<std::unique_ptr<Tokenizer>> all;
    for (const fs::path& p : {test::tinyLlamaDir(), test::tinyQwen2Dir(), test::referenceGguf("F16"), spDir.path()}) {
        auto t = loadTokenizer(p);
        EXPECT_TRUE(t.ok()) << p;
        if (t.ok()) all.push_back(std::move(*t));
    }
    return all;
}

TEST(TokenizerErrors, HostileInputNeverBreaksEncodeOrDecode)
{
    TempDir spDir("condense-tok-err");
    fs::create_symlink(test::tinyLlamaDir() / "tokenizer.model", spDir / "tokenizer.model");
    const auto all = allTokenizers(spDir);
    ASSERT_EQ(all.size(), 4u);
    std::mt19937 rng(99);
    std::vector<std::string> inputs = {std::string(200000, ' '), std::string(100000, '\n'), std::string(50000, '\xff'),
                                       std::string("\0\0\0", 3), "\xe2\x96", "\xf0\x9f\x98", "<s><s></s><unk><|endoftext|>",
                                       std::string(70000, 'a'), "\xe2\x96\x81\xe2\x96\x81 \xe2\x96\x81"};
    for (int k = 0; k < 50; ++k) {
        std::string s(static_cast<std::size_t>(rng() % 400), '\0');
        for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
        inputs.push_back(std::move(s));
    }
    for (const auto& tok : all) {
        SCOPED_TRACE(tokenizerSourceName(tok->source()));
        for (const auto& in : inputs) {
            for (const bool special : {false, true}) {
                const Ids ids = tok->encode(in, true, special);
                for (const auto id : ids) {
                    ASSERT_GE(id, 0);
                    ASSERT_LT(id, tok->vocabSize());
                }
                (void)tok->decode(ids, special);
            }
        }
        EXPECT_EQ(tok->decode(Ids{-5, 1 << 30, tok->vocabSize()}, false), "");
        EXPECT_EQ(tok->tokenToPiece(-1), "");
        EXPECT_EQ(tok->tokenToPiece(tok->vocabSize()), "");
        EXPECT_FALSE(tok->isSpecial(-3));
        // Empty text: only what the model adds.
        EXPECT_TRUE(tok->encode("", false, true).empty());
    }
}

TEST(TokenizerErrors, LegacyLlamaTokenizerJsonBehavesLikeSentencepiece)
{
    // transformers' LlamaTokenizerFast with legacy=True wrote the SentencePiece steps as a
    // normalizer (Prepend U+2581, then spaces -> U+2581) and no pre-tokenizer: U+2581 goes in
    // front of every text segment, as sentencepiece does. So, without special parsing, the ids
    // are the sentencepiece library's.
    TempDir dir("condense-tok-legacy");
    Json j = tinyTokenizerJson();
    j["normalizer"] = {{"type", "Sequence"},
                       {"normalizers",
                        {{{"type", "Prepend"}, {"prepend", "\xe2\x96\x81"}},
                         {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\xe2\x96\x81"}}}}};
    j["pre_tokenizer"] = nullptr;
    writeTokenizerJson(dir, j);
    auto tok = loadTokenizer(dir.path());
    ASSERT_TRUE(tok.ok()) << describe(tok.error());
    const Json golden = Json::parse(test::readFile(test::tinyLlamaDir() / "golden" / "tokenizer.json"));
    for (const auto& c : golden["cases"]) {
        SCOPED_TRACE(c["text"].dump());
        EXPECT_EQ((*tok)->encode(c["text"].get<std::string>(), false, false), c["sentencepiece_ids"].get<Ids>());
    }
}

} // namespace
} // namespace condense::tokenizer
